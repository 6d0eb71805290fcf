"""Wireless interfaces stay down on nodes whose primary interface is wired."""

import pulumi
from pulumi_command import remote

from components.script import Script
from components.systemd_unit import Unit, record_units, unit_params
from nodes.os.context import StepContext, after

UNIT_NAME = "goldentooth-wireless-off.service"
# `$$` is a literal `$` in a unit file; the glob covers wlan0 and predictable names (wlp3s0).
UNIT_TEXT = """\
[Unit]
Description=Keep wireless interfaces down (goldentooth: the wired interface is primary)
ConditionPathExistsGlob=/sys/class/net/wl*
Wants=network-pre.target
Before=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'for dev in /sys/class/net/wl*; do [ -e "$$dev" ] && /usr/sbin/ip link set dev "$${dev##*/}" down; done; exit 0'

[Install]
WantedBy=multi-user.target
"""

_SCRIPT = Script.beside(__file__, "wireless.sh")


def wireless_applies(interface: str) -> bool:
    return not interface.startswith("wl")


def wireless_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    units = [Unit(UNIT_NAME, UNIT_TEXT, enable=True, start=False)]
    record_units(ctx.name, units)
    return ctx.runner.run("wireless-off", _SCRIPT, unit_params(units), options=after(*deps))
