"""A quorum gate: on the check's node, wait until the quorum is healthy before one member goes down (a reboot,
an upgrade), or stop after the timeout with a message naming quorum, member and check (quorum_gate.sh)."""

from collections.abc import Sequence
from typing import Literal

import pulumi
from pulumi_command import remote

from components.contributions import QuorumCheck
from components.remote_step import StepOptions, StepRunner
from components.script import Script
from config.rollout import RolloutSpec

_GATE = Script.beside(__file__, "quorum_gate.sh")


def gate_timeout(settings: RolloutSpec, quorum: QuorumCheck) -> int:
    return settings.health_timeout_seconds or quorum.timeout_seconds


def quorum_gate(
    runner: StepRunner, name: str, quorum: QuorumCheck, member: str, action: Literal["reboot", "upgrade"],
    settings: RolloutSpec, *, reboot_check: pulumi.Input[str] | None, depends_on: Sequence[pulumi.Resource],
    triggers: Sequence[pulumi.Input[str]] = (),
) -> remote.Command:
    """`runner` targets `quorum.run_on`. `reboot_check`: the member's reboot-check stdout, for a reboot gate (it
    then acts only when the member really reboots); None for a gate that always checks."""
    seconds = gate_timeout(settings, quorum)
    return runner.run(
        name, _GATE,
        {"GT_QUORUM": quorum.name, "GT_MEMBER": member, "GT_RUN_ON": quorum.run_on, "GT_ACTION": action,
         "GT_CHECK": quorum.command, "GT_PRESENT": quorum.present or "true", "GT_TIMEOUT": str(seconds),
         "GT_INTERVAL": str(settings.health_interval_seconds), "GT_IF_REBOOTING": "1" if reboot_check else "0"},
        stdin=reboot_check if reboot_check is not None else "",
        options=StepOptions(depends_on=tuple(depends_on), extra_triggers=tuple(triggers), timeout=f"{seconds + 120}s"),
    )
