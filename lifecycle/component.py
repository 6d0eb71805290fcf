"""`Lifecycle`: one command per contributed `LeaveStep` whose create records the membership and whose delete leaves.

pulumi-command runs a command's `delete`, as stored in state, with the connection stored in state, when the resource
goes away (research/anchors.md §3.2). Taking a node out of a role drops its leave steps from the program, so the
engine deletes them, and that runs the leave on the host the step names. Nothing else runs them:

- create (and update, which re-runs create) is `member.sh`, which changes nothing on the host;
- `triggers` are ignored after the first run, so no edit (the shared script library, a rebuild's generation)
  can replace the command, which would run the old delete;
- the URN names the leaving node, membership and script, never the host the step runs on: a different peer
  is an update of the stored connection, not a delete;
- `deleted_with` is off: the step's delete must run even when the node's components go in the same `up`.

Order: the engine deletes a resource before the resources it depends on. The steps of one node, sorted by `order`,
are chained so that each depends on the next, and the last one on the node's membership resources (`anchors`):
the first step's delete runs first, and every leave runs before the resources of the memberships are deleted.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

import pulumi

from components import artifacts
from components.contributions import LeaveStep
from components.remote_step import STEP_DIR, StepOptions, StepRunner
from components.script import Script, render
from components.ssh import SshTarget

ROOT = Path(__file__).resolve().parent.parent
_MEMBER = Script.beside(__file__, "member.sh")
TYPE = "goldentooth:lifecycle:Lifecycle"
NODE_TYPE = "goldentooth:lifecycle:Memberships"


@dataclass(frozen=True)
class LifecycleArgs:
    steps: tuple[LeaveStep, ...]  # every layer's, merged (those not `on_leave` are only forgotten: forget.py)
    targets: Mapping[str, SshTarget]  # node -> how to reach it (the leave steps run on `run_on`)
    # node -> resources its leave steps must run before: they are deleted only after the leave.
    anchors: Mapping[str, Sequence[pulumi.Resource]] = field(default_factory=dict)
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)  # LeaveStep.secret -> value


def step_name(step: LeaveStep) -> str:
    """`leave-<membership>-<script>`: stable while the node is a member, whatever host the step runs on."""
    return f"leave-{step.membership}-{Path(step.script).stem.replace('_', '-')}"


def ordered(steps: Sequence[LeaveStep]) -> dict[str, list[LeaveStep]]:
    """node -> its leave steps in the order they run."""
    key = sorted(steps, key=lambda s: (s.node, s.order, s.membership, s.script))
    return {node: list(group) for node, group in groupby(key, key=lambda s: s.node)}


@dataclass(frozen=True)
class MembershipsArgs:
    node: str
    steps: tuple[LeaveStep, ...]  # this node's, in the order they run (`ordered`)
    targets: Mapping[str, SshTarget]
    anchors: Sequence[pulumi.Resource] = ()
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


class NodeMemberships(pulumi.ComponentResource):
    """One node's leave steps, chained: each depends on the step that runs after it, the last on the anchors."""

    commands: dict[str, pulumi.Resource]  # step name -> its leave command

    def __init__(self, name: str, args: MembershipsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NODE_TYPE, name, None, opts)
        self.commands = {}
        after: list[pulumi.Resource] = list(args.anchors)
        for step in reversed(args.steps):  # built last-first
            command = _leave(self, step, args, after)
            self.commands[step_name(step)] = command
            after = [command]
        self.register_outputs({"node": args.node, "leaveSteps": sorted(self.commands)})


class Lifecycle(pulumi.ComponentResource):
    commands: dict[tuple[str, str], pulumi.Resource]  # (node, step name) -> its leave command

    def __init__(self, name: str, args: LifecycleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self.commands = {}
        for node, steps in ordered([s for s in args.steps if s.on_leave]).items():
            group = NodeMemberships(f"{node}-memberships", MembershipsArgs(
                node, tuple(steps), args.targets, tuple(args.anchors.get(node, ())), args.secrets),
                pulumi.ResourceOptions(parent=self))
            self.commands.update({(node, s): c for s, c in group.commands.items()})
        self.register_outputs({"leaveSteps": sorted(f"{n}/{s}" for n, s in self.commands)})


def _leave(group: pulumi.Resource, step: LeaveStep, args: MembershipsArgs,
           after: Sequence[pulumi.Resource]) -> pulumi.Resource:
    if step.run_on not in args.targets or step.node not in args.targets:
        raise KeyError(f"leave step {step_name(step)} of {step.node} runs on {step.run_on}, not in the inventory")
    if step.secret and step.secret not in args.secrets:
        raise KeyError(f"leave step {step_name(step)} of {step.node} needs the secret {step.secret!r}, "
                       "which cluster/wiring.py does not hand the lifecycle layer")
    name = step_name(step)
    # Named after the leaving node, connected to the host it runs on.
    runner = StepRunner(step.node, args.targets[step.run_on], group)
    leave = render(Script(ROOT / step.script), dict(step.params), f"{step.node}/{name}")
    # `goldentooth render` shows both: what create runs (`<name>.sh`, as for every step) and the leave.
    artifacts.record(step.node, f"{STEP_DIR}/{name}.delete.sh", leave, "0755")
    return runner.run(
        name, _MEMBER, {"GT_NODE": step.node, "GT_MEMBERSHIP": step.membership},
        stdin=args.secrets[step.secret] if step.secret else None, secret=bool(step.secret),
        options=StepOptions(depends_on=after, delete=runner.shell(name, leave), ignore_changes=("triggers",),
                            deleted_with_parent=False, follows_generation=False, marker=True),
    )
