"""Before a rebuilt node rejoins: the leave steps marked `forget_on_rebuild` run once per generation from a
remaining member (the old incarnation's etcd member removed, its Node object deleted, its Consul member forced
out), and the rebuilt node's first steps of every later layer wait for them (they join `Node.booted`, which
those layers depend on).

A forget step's `secret` is made by a layer built after the nodes (a management token): the step takes it as a
deferred output (`LateSecrets`), which the lifecycle layer's wiring resolves from the same secrets it hands the
leave steps. The resolved output carries its resources, so the step still waits for the secret's maker."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from components.contributions import LeaveStep
from components.remote_step import StepOptions, StepRunner
from components.script import Script
from components.ssh import SshTarget
from lifecycle.component import ordered

ROOT = Path(__file__).resolve().parent.parent
TYPE = "goldentooth:lifecycle:Forget"


def forget_name(step: LeaveStep) -> str:
    return f"forget-{step.membership}-{Path(step.script).stem.replace('_', '-')}"


class LateSecrets:
    """Secrets asked for before the layer that makes them is built: an output now, its value resolved later."""

    def __init__(self) -> None:
        self._pending: dict[str, tuple[pulumi.Output[str], Callable[[pulumi.Output[str]], None]]] = {}

    def get(self, key: str) -> pulumi.Output[str]:
        if key not in self._pending:
            self._pending[key] = pulumi.deferred_output()
        return self._pending[key][0]

    def resolve(self, values: Mapping[str, pulumi.Input[str]]) -> None:
        """Resolve every secret asked for; one nobody hands over is an error (the step would wait forever)."""
        missing = sorted(k for k in self._pending if k not in values)
        if missing:
            raise KeyError(f"forget steps need the secrets {missing}, which cluster/wiring.py does not hand the "
                           "lifecycle layer")
        for key, (_, resolve) in sorted(self._pending.items()):
            resolve(pulumi.Output.secret(values[key]))
        self._pending.clear()


@dataclass(frozen=True)
class ForgetArgs:
    node: str
    generation: int
    steps: tuple[LeaveStep, ...]  # `forget_steps` for the node, in order
    targets: Mapping[str, SshTarget]
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)  # LeaveStep.secret -> value


class Forget(pulumi.ComponentResource):
    """The forget steps of one rebuilt node, in leave order, each after the previous one."""

    steps: list[pulumi.Resource]

    def __init__(self, name: str, args: ForgetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self.steps = []
        for step in args.steps:
            if step.secret and step.secret not in args.secrets:
                raise KeyError(f"forget step {forget_name(step)} of {args.node} needs the secret {step.secret!r}")
            runner = StepRunner(args.node, args.targets[step.run_on], self)
            self.steps.append(runner.run(
                forget_name(step), Script(ROOT / step.script), dict(step.params),
                stdin=args.secrets[step.secret] if step.secret else None, secret=bool(step.secret),
                # The rebuild's generation alone decides when it runs: a new value of its secret (an adopted
                # token) is no reason to forget the node again.
                options=StepOptions(depends_on=self.steps[-1:],
                                    extra_triggers=[f"rebuild:{args.node}:{args.generation}"],
                                    ignore_changes=("stdin",) if step.secret else (),
                                    follows_generation=False)))
        self.register_outputs({"node": args.node, "generation": args.generation})


def forget_steps(steps: Sequence[LeaveStep], generations: Mapping[str, int]) -> dict[str, list[LeaveStep]]:
    """node -> the steps that forget its previous incarnation, for nodes rebuilt at least once."""
    return {node: chosen for node, chain in ordered(steps).items() if generations.get(node, 0) > 0
            if (chosen := [s for s in chain if s.forget_on_rebuild and s.run_on != node])}
