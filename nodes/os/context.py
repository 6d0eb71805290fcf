"""What every node step gets: the node, the whole validated config, and the runner that puts steps on the node."""

from dataclasses import dataclass

import pulumi

from components.remote_step import StepOptions, StepRunner
from components.script import Script, digest
from config.nodes import NodeSpec
from config.spec import ClusterSpec


@dataclass(frozen=True)
class StepContext:
    node: NodeSpec
    cluster: ClusterSpec
    runner: StepRunner

    @property
    def name(self) -> str:
        return self.node.name


def after(*steps: pulumi.Resource | None, timeout: str | None = None) -> StepOptions:
    """Options for a step that must run after `steps` (None entries are skipped: optional steps)."""
    return StepOptions(depends_on=tuple(s for s in steps if s is not None), timeout=timeout)


@dataclass(frozen=True)
class BootFileStep:
    """A step that edits what the node boots with; the reboot step carries `trigger` in its own triggers."""

    command: pulumi.Resource
    trigger: str  # sha256 of the step's exact script text (its own first trigger)


def boot_file_step(
    ctx: StepContext, name: str, script: Script, params: dict[str, str], options: StepOptions
) -> BootFileStep:
    command = ctx.runner.run(name, script, params, options=options)
    return BootFileStep(command, digest(ctx.runner.script_text(name, script, params)))
