"""Kernel modules and sysctls Kubernetes networking needs, on every node (the Pis and velaryon alike)."""

import pulumi
from pulumi_command import remote

from components import artifacts
from components.script import Script
from nodes.os.context import StepContext, after

MODULES = ("overlay", "br_netfilter")
MODULES_FILE = "/etc/modules-load.d/goldentooth-kubernetes.conf"
SYSCTLS = {
    "net.bridge.bridge-nf-call-iptables": "1",
    "net.bridge.bridge-nf-call-ip6tables": "1",
    "net.ipv4.ip_forward": "1",
}
SYSCTL_FILE = "/etc/sysctl.d/90-goldentooth-kubernetes.conf"

_SCRIPT = Script.beside(__file__, "kernel.sh")


def modules_conf() -> str:
    return "# goldentooth (managed): loaded at boot for Kubernetes networking\n" + "".join(f"{m}\n" for m in MODULES)


def sysctl_conf() -> str:
    return "# goldentooth (managed): Kubernetes networking\n" + "".join(f"{k} = {v}\n" for k, v in SYSCTLS.items())


def kernel_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    artifacts.record(ctx.name, MODULES_FILE, modules_conf())
    artifacts.record(ctx.name, SYSCTL_FILE, sysctl_conf())
    params = {
        "GT_MODULES": " ".join(MODULES),
        "GT_MODULES_FILE": MODULES_FILE,
        "GT_MODULES_CONF": modules_conf(),
        "GT_SYSCTL_FILE": SYSCTL_FILE,
        "GT_SYSCTL_CONF": sysctl_conf(),
    }
    return ctx.runner.run("kernel", _SCRIPT, params, options=after(*deps))
