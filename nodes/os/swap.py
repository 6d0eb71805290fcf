"""Swap off, whatever provides it (dphys-swapfile on Raspberry Pi OS, zram, fstab on Ubuntu)."""

import pulumi
from pulumi_command import remote

from components.script import Script
from nodes.os.context import StepContext, after

_SCRIPT = Script.beside(__file__, "swap.sh")


def swap_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    return ctx.runner.run("swap-off", _SCRIPT, {}, options=after(*deps))
