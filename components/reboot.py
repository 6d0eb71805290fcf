"""Reboot a node only when a step asked for it, then wait until it is back on a new boot.

Two steps, because the SSH session that triggers a reboot dies with the old boot (anchors §4.6):
- `reboot` runs after the steps that edit boot files. If one of them left the marker
  (`gt_require_reboot`), it records the old boot id, schedules the reboot with PID 1 a few seconds
  out and stops sshd from accepting new sessions, then returns while its own session is still alive.
- `wait-boot` dials without limit (`SshTarget.with_unlimited_dials`), so it connects only once the new
  boot's sshd answers, and checks that the boot id changed.
Both carry the boot-file steps' triggers, so they re-run exactly when those steps do.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pulumi
from pulumi_command import remote

from components.remote_step import StepOptions, StepRunner
from components.script import Script

PENDING = "/var/lib/goldentooth/reboot-pending"
DELAY_SECONDS = 3  # long enough for the reboot step's own session to close before sshd goes down

_REBOOT = Script.beside(__file__, "shell/reboot.sh")
_WAIT = Script.beside(__file__, "shell/wait_boot.sh")


@dataclass(frozen=True)
class RebootSteps:
    reboot: remote.Command
    wait: remote.Command  # depend on this: after it, the node runs its new boot configuration


def reboot_when_required(
    runner: StepRunner,
    *,
    after: Sequence[pulumi.Resource],
    triggers: Sequence[pulumi.Input[str]],
    also_after: Sequence[pulumi.Resource] = (),
    timeout: str = "15m",
) -> RebootSteps:
    """`after`: the steps that may request a reboot (their triggers go in `triggers`). `also_after`: other
    resources that must be done first without being a reason to reboot, e.g. another node's wait step
    when reboots of a quorum's members are serialised."""
    params = {"GT_PENDING": PENDING, "GT_DELAY_SECONDS": str(DELAY_SECONDS)}
    base = StepOptions(extra_triggers=tuple(triggers), timeout=timeout)
    reboot = runner.run(
        "reboot", _REBOOT, params, options=replace(base, depends_on=(*after, *also_after))
    )
    wait = runner.run(
        "wait-boot",
        _WAIT,
        params,
        options=replace(base, depends_on=(reboot,), target=runner.target.with_unlimited_dials()),
    )
    return RebootSteps(reboot, wait)
