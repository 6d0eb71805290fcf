"""Unattended security upgrades with a per-node reboot hour (`hostIndex`), written as a proper HH:MM."""

import pulumi
from pulumi_command import remote

from components import artifacts
from components.script import Script
from nodes.os.context import StepContext, after

PERIODIC_FILE = "/etc/apt/apt.conf.d/20auto-upgrades"
PERIODIC_CONF = """\
// goldentooth (managed)
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Download-Upgradeable-Packages "1";
APT::Periodic::AutocleanInterval "7";
APT::Periodic::Unattended-Upgrade "1";
"""
UPGRADES_FILE = "/etc/apt/apt.conf.d/52goldentooth-unattended-upgrades"

_SCRIPT = Script.beside(__file__, "upgrades.sh")


def reboot_time(host_index: int) -> str:
    """`hostIndex` 5 -> "05:00". The Ansible era wrote "0{{host_index}}:00", i.e. "010:00" from index 10 on."""
    if not 0 <= host_index <= 23:
        raise ValueError(f"hostIndex {host_index} is not an hour of the day")
    return f"{host_index:02d}:00"


def upgrades_conf(name: str, host_index: int, mail_domain: str) -> str:
    return (
        "// goldentooth (managed): reboot when an upgrade needs it, at this node's own hour\n"
        'Unattended-Upgrade::Automatic-Reboot "true";\n'
        f'Unattended-Upgrade::Automatic-Reboot-Time "{reboot_time(host_index)}";\n'
        f'Unattended-Upgrade::Mail "{name}@{mail_domain}";\n'
        'Unattended-Upgrade::MailReport "only-on-error";\n'
    )


def upgrades_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    conf = upgrades_conf(ctx.name, ctx.node.host_index, ctx.cluster.domains.base)
    artifacts.record(ctx.name, PERIODIC_FILE, PERIODIC_CONF)
    artifacts.record(ctx.name, UPGRADES_FILE, conf)
    params = {
        "GT_PERIODIC_FILE": PERIODIC_FILE,
        "GT_PERIODIC_CONF": PERIODIC_CONF,
        "GT_UPGRADES_FILE": UPGRADES_FILE,
        "GT_UPGRADES_CONF": conf,
    }
    return ctx.runner.run("unattended-upgrades", _SCRIPT, params, options=after(*deps))
