"""Reboot a node only when a step asked for it, then wait until it is back on a new boot.

A fresh node (nothing served from it yet: a first converge) reboots at once, with no window, so bare nodes
reboot side by side; a node in service reboots in its rollout window (rollout/), after its quorums' gates and
its drain. Steps, because the SSH session that triggers a reboot dies with the old boot (anchors §4.6):
- `reboot-check` runs after the steps that edit boot files. If one of them left the marker (`gt_require_reboot`)
  on a fresh node, it reboots it now (as `reboot` does); on a node in service it prints "reboot required".
  Steps on other nodes that prepare the rolling reboot (a quorum's health gate, the Kubernetes drain) take
  that line on stdin, so they act only for a node that reboots in its window.
- `wait-fresh-boot` dials without limit (`SshTarget.with_unlimited_dials`): after a fresh node's reboot it
  connects once the new boot's sshd answers and checks that the boot id changed; elsewhere it finds nothing
  pending. The node's other steps run after it.
- `reboot` (in the rollout window): if the marker is still there, it records the old boot id, schedules the
  reboot with PID 1 a few seconds out and stops sshd from accepting new sessions, then returns while its own
  session lives; `wait-boot` waits for the new boot like `wait-fresh-boot`.
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
    # stdout: "reboot required: <reasons>" (in service: its window reboots it), "fresh node ... rebooting now"
    # or "no reboot required"
    step: remote.Command
    after: tuple[pulumi.Resource, ...]  # the steps that may request a reboot
    triggers: tuple[pulumi.Input[str], ...]  # theirs: every step of this reboot carries them
    fresh_wait: remote.Command  # `wait-fresh-boot`: the node's other steps run after it


@dataclass(frozen=True)
class RebootSteps:
    check: RebootCheck
    reboot: remote.Command
    wait: remote.Command  # depend on this: after it, the node runs its new boot configuration


def _params(rolling: bool) -> dict[str, str]:
    return {"GT_PENDING": PENDING, "GT_DELAY_SECONDS": str(DELAY_SECONDS), "GT_ROLLING": "1" if rolling else "0"}


def reboot_check(
    runner: StepRunner, *, after: Sequence[pulumi.Resource], triggers: Sequence[pulumi.Input[str]],
    in_service: str, also_after: Sequence[pulumi.Resource] = (), timeout: str = "15m",
) -> RebootCheck:
    """`after`: the steps that may request a reboot (their triggers go in `triggers`). `in_service`: a shell
    condition that holds on the node while it serves something (nodes/os/in_service.py)."""
    # Gates, drains and uncordons read its stdout: an update must re-run the check, not replace its line with
    # the no-work update's empty output (which would re-run them).
    options = StepOptions(depends_on=(*after, *also_after), extra_triggers=tuple(triggers), keeps_output=True)
    step = runner.run("reboot-check", _CHECK, {**_params(False), "GT_IN_SERVICE": in_service}, options=options)
    wait = runner.run(
        "wait-fresh-boot", _WAIT, _params(False),
        options=StepOptions(depends_on=(step,), extra_triggers=tuple(triggers), timeout=timeout,
                            target=runner.target.with_unlimited_dials()),
    )
    return RebootCheck(step, (*after, *also_after), tuple(triggers), wait)


def reboot_when_required(
    runner: StepRunner, check: RebootCheck, *, also_after: Sequence[pulumi.Resource] = (), timeout: str = "15m",
) -> RebootSteps:
    """The rolling reboot of a node in service. `also_after`: what must be done first without being a reason to
    reboot: the quorum gates and drains of the node's rollout window (rollout/)."""
    params = _params(True)
    base = StepOptions(extra_triggers=check.triggers, timeout=timeout)
    reboot = runner.run(
        "reboot", _REBOOT, params,
        options=replace(base, depends_on=(*check.after, check.step, check.fresh_wait, *also_after)),
    )
    wait = runner.run(
        "wait-boot",
        _WAIT,
        params,
        options=replace(base, depends_on=(reboot,), target=runner.target.with_unlimited_dials()),
    )
    return RebootSteps(check, reboot, wait)
