"""Reboot a node only when a step asked for it, then wait until it is back on a new boot.

Three steps, because the SSH session that triggers a reboot dies with the old boot (anchors §4.6):
- `reboot-check` runs after the steps that edit boot files and prints whether one of them left the marker
  (`gt_require_reboot`). Steps on other nodes that prepare the reboot (a quorum's health gate, the Kubernetes
  drain: nodes/rollout) take that line on stdin, so they act only for a node that really reboots.
- `reboot`, once those are done: if the marker is there, it records the old boot id, schedules the reboot with
  PID 1 a few seconds out and stops sshd from accepting new sessions, then returns while its own session lives.
- `wait-boot` dials without limit (`SshTarget.with_unlimited_dials`), so it connects only once the new
  boot's sshd answers, and checks that the boot id changed.
All carry the boot-file steps' triggers, so they re-run exactly when those steps do.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pulumi
from pulumi_command import remote

from components.remote_step import StepOptions, StepRunner
from components.script import Script

PENDING = "/var/lib/goldentooth/reboot-pending"
DELAY_SECONDS = 3  # long enough for the reboot step's own session to close before sshd goes down
REQUIRED = "reboot required"  # how reboot-check's stdout starts when the node will reboot

_CHECK = Script.beside(__file__, "shell/reboot_check.sh")
_REBOOT = Script.beside(__file__, "shell/reboot.sh")
_WAIT = Script.beside(__file__, "shell/wait_boot.sh")


@dataclass(frozen=True)
class RebootCheck:
    step: remote.Command  # stdout: "reboot required: <reasons>" or "no reboot required"
    after: tuple[pulumi.Resource, ...]  # the steps that may request a reboot
    triggers: tuple[pulumi.Input[str], ...]  # theirs: every step of this reboot carries them


@dataclass(frozen=True)
class RebootSteps:
    check: RebootCheck
    reboot: remote.Command
    wait: remote.Command  # depend on this: after it, the node runs its new boot configuration


def reboot_check(
    runner: StepRunner, *, after: Sequence[pulumi.Resource], triggers: Sequence[pulumi.Input[str]],
    also_after: Sequence[pulumi.Resource] = (),
) -> RebootCheck:
    """`after`: the steps that may request a reboot (their triggers go in `triggers`)."""
    # Gates, drains and uncordons read its stdout: an update must re-run the check, not replace its line with
    # the no-work update's empty output (which would re-run them).
    options = StepOptions(depends_on=(*after, *also_after), extra_triggers=tuple(triggers), keeps_output=True)
    step = runner.run("reboot-check", _CHECK, {}, options=options)
    return RebootCheck(step, (*after, *also_after), tuple(triggers))


def reboot_when_required(
    runner: StepRunner, check: RebootCheck, *, also_after: Sequence[pulumi.Resource] = (), timeout: str = "15m",
) -> RebootSteps:
    """`also_after`: what must be done first without being a reason to reboot: the quorum gates and drains of
    the node's rollout window (nodes/rollout)."""
    params = {"GT_PENDING": PENDING, "GT_DELAY_SECONDS": str(DELAY_SECONDS)}
    base = StepOptions(extra_triggers=check.triggers, timeout=timeout)
    reboot = runner.run(
        "reboot", _REBOOT, params, options=replace(base, depends_on=(*check.after, check.step, *also_after))
    )
    wait = runner.run(
        "wait-boot",
        _WAIT,
        params,
        options=replace(base, depends_on=(reboot,), target=runner.target.with_unlimited_dials()),
    )
    return RebootSteps(check, reboot, wait)
