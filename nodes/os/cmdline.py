"""The kernel command line (`/boot/firmware/cmdline.txt`) flags Kubernetes needs on a Raspberry Pi: the cgroup
controllers kubelet and containerd use, which the Pi kernel leaves off unless asked."""

import pulumi

from components.script import Script
from nodes.os.context import BootFileStep, StepContext, after, boot_file_step

CMDLINE_TXT = "/boot/firmware/cmdline.txt"
CONTROLLERS = ("cpuset", "memory", "hugetlb")
FLAGS = (*(f"cgroup_enable={c}" for c in CONTROLLERS), "cgroup_memory=1")
REMOVED = tuple(f"cgroup_disable={c}" for c in CONTROLLERS)  # a flag that would undo one of ours

_SCRIPT = Script.beside(__file__, "cmdline.sh")


def cmdline_step(ctx: StepContext, *deps: pulumi.Resource | None) -> BootFileStep:
    params = {"GT_CMDLINE_TXT": CMDLINE_TXT, "GT_FLAGS": " ".join(FLAGS), "GT_REMOVE_FLAGS": " ".join(REMOVED)}
    return boot_file_step(ctx, "cmdline", _SCRIPT, params, after(*deps))
