"""Before a rebuilt node rejoins: the leave steps marked `forget_on_rebuild` run once per generation from a
remaining member (the old incarnation's etcd member removed, its Node object deleted), and the rebuilt node's
first steps of every later layer wait for them (they join `Node.os_ready`, which those layers depend on)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ForgetArgs:
    node: str
    generation: int
    steps: tuple[LeaveStep, ...]  # `forget_steps` for the node, in order
    targets: Mapping[str, SshTarget]


class Forget(pulumi.ComponentResource):
    """The forget steps of one rebuilt node, in leave order, each after the previous one."""

    steps: list[pulumi.Resource]

    def __init__(self, name: str, args: ForgetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self.steps = []
        for step in args.steps:
            runner = StepRunner(args.node, args.targets[step.run_on], self)
            self.steps.append(runner.run(
                forget_name(step), Script(ROOT / step.script), dict(step.params),
                options=StepOptions(depends_on=self.steps[-1:],
                                    extra_triggers=[f"rebuild:{args.node}:{args.generation}"],
                                    follows_generation=False)))
        self.register_outputs({"node": args.node, "generation": args.generation})


def forget_steps(steps: Sequence[LeaveStep], generations: Mapping[str, int]) -> dict[str, list[LeaveStep]]:
    """node -> the steps that forget its previous incarnation, for nodes rebuilt at least once."""
    return {node: chosen for node, chain in ordered(steps).items() if generations.get(node, 0) > 0
            if (chosen := [s for s in chain if s.forget_on_rebuild and s.run_on != node and not s.secret])}
