"""sshd hardening (a drop-in validated with `sshd -t`) and fail2ban's sshd jail."""

import pulumi
from pulumi_command import remote

from components import artifacts
from components.script import Script
from config.spec import ClusterSpec
from nodes.os.context import StepContext, after

DROP_IN = "/etc/ssh/sshd_config.d/10-goldentooth.conf"  # sorts before image drop-ins (50-cloud-init.conf)
JAIL_FILE = "/etc/fail2ban/jail.d/goldentooth-sshd.conf"
# Pulumi opens one SSH session per step and runs steps in parallel; OpenSSH's default MaxStartups 10:30:100
# starts dropping unauthenticated connections at 10, which shows up as random handshake failures.
MAX_STARTUPS = "30:30:100"

_SCRIPT = Script.beside(__file__, "ssh_hardening.sh")


def allowed_users(cluster: ClusterSpec) -> list[str]:
    return sorted({"root", cluster.ssh.user, cluster.cluster.operator_user})


def sshd_conf(cluster: ClusterSpec) -> str:
    lines = [
        "# goldentooth (managed): sshd keeps the first value it reads, and this file is read first.",
        f"Port {cluster.ssh.port}",
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitEmptyPasswords no",
        "GSSAPIAuthentication no",
        "X11Forwarding no",
        "UseDNS no",
        f"MaxStartups {MAX_STARTUPS}",
        f"AllowUsers {' '.join(allowed_users(cluster))}",
    ]
    return "\n".join(lines) + "\n"


def jail_conf(cluster: ClusterSpec) -> str:
    return (
        "# goldentooth (managed)\n"
        "[sshd]\n"
        "enabled = true\n"
        f"port = {cluster.ssh.port}\n"
        "backend = systemd\n"
        "banaction = nftables-multiport\n"
    )


def ssh_hardening_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    sshd, jail = sshd_conf(ctx.cluster), jail_conf(ctx.cluster)
    artifacts.record(ctx.name, DROP_IN, sshd)
    artifacts.record(ctx.name, JAIL_FILE, jail)
    params = {"GT_SSHD_DROP_IN": DROP_IN, "GT_SSHD_CONF": sshd, "GT_JAIL_FILE": JAIL_FILE, "GT_JAIL_CONF": jail}
    return ctx.runner.run("ssh-hardening", _SCRIPT, params, options=after(*deps))
