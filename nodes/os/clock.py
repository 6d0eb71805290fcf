"""Time first: chrony, stepping whenever the clock is off, and a wait for synchronisation before anything else."""

from pulumi_command import remote

from components import artifacts
from components.script import Script
from nodes.os.context import StepContext, after

CHRONY_DROP_IN = "/etc/chrony/conf.d/goldentooth.conf"
CHRONY_CONF = (
    "# goldentooth (managed): step the clock whenever it is more than a second off, at any time, instead of\n"
    "# slewing for hours. A Pi has no battery-backed clock, and TLS and etcd fail on a wrong one.\n"
    "makestep 1 -1\n"
)
WAIT_TRIES = 90  # chronyc polls every 10 s: up to 15 minutes for a cold start

_SCRIPT = Script.beside(__file__, "clock.sh")


def clock_step(ctx: StepContext) -> remote.Command:
    artifacts.record(ctx.name, CHRONY_DROP_IN, CHRONY_CONF)
    params = {"GT_CHRONY_DROP_IN": CHRONY_DROP_IN, "GT_CHRONY_CONF": CHRONY_CONF, "GT_WAIT_TRIES": str(WAIT_TRIES)}
    return ctx.runner.run("clock", _SCRIPT, params, options=after(timeout="20m"))
