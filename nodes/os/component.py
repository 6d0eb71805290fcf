"""`NodeOs`: the steps that converge one host's operating system, and the order they run in.

    clock ─┐                                                       ┌─> swap-off ───────────────────────┐
 identity ─┼─> reboot-check ─> wait-fresh-boot ─┬─> kernel ─> [nvidia-runtime] ─> containerd ─> k8s packages
 firmware ─┤   (Pis only: a fresh node reboots  ├─> journald, wireless-off, ssh-hardening, unattended-upgrades,
  cmdline ─┘   here at once)                    │   operator-user, [metallb-route], homepage
                                                └─> [mounts] ─> nfs-server, nfs-mounts
  then, in the node's rollout window (rollout/, after the bootstrap layers):
    reboot ─> wait-boot ─> [containerd-rolling]     (a node in service: its gates and drain come first)

Everything that could be cut short by a reboot runs before it. A fresh node (nothing served from it yet: a first
converge) reboots at `reboot-check` and runs everything else on its final boot configuration; a node in service
keeps its boot until its window, and its container runtime changes wait for that window too. `booted` is ready
at once (the bootstrap layers use it); `ready` once the rollout has called `complete()`. On a node without Pi
firmware (velaryon) the later steps follow clock and identity directly. Kubernetes pieces run on Kubernetes nodes
only; the NVIDIA runtime on Kubernetes nodes with an NVIDIA GPU.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.reboot import RebootCheck, RebootSteps, reboot_check, reboot_when_required
from components.remote_step import StepRunner
from components.ssh import SshTarget
from config.nodes import NodeSpec
from config.spec import ClusterSpec
from nodes.os.clock import clock_step
from nodes.os.cmdline import cmdline_step
from nodes.os.containerd import containerd_step
from nodes.os.context import StepContext
from nodes.os.firmware import effective_firmware, firmware_step
from nodes.os.homepage import homepage_step
from nodes.os.identity import identity_step
from nodes.os.journald import journald_step
from nodes.os.kernel import kernel_step
from nodes.os.kubernetes_packages import kubernetes_packages_step
from nodes.os.mounts import mounts_step
from nodes.os.nfs import nfs_mounts_step, nfs_server_step
from nodes.os.nvidia import nvidia_step
from nodes.os.onlink import onlink_route_step
from nodes.os.operator import operator_step
from nodes.os.ssh_hardening import ssh_hardening_step
from nodes.os.swap import swap_step
from nodes.os.upgrades import upgrades_step
from nodes.os.wireless import wireless_applies, wireless_step


@dataclass(frozen=True)
class NodeOsArgs:
    spec: NodeSpec
    cluster: ClusterSpec
    target: SshTarget
    in_service: str = "false"  # shell condition: the node serves something (nodes/os/in_service.py)
    # False: the rolling part (reboot, wait-boot, containerd-rolling) waits for `complete()`, which the rollout
    # (rollout/) calls once it has registered what this node's rolling reboot must wait for.
    complete: bool = True


def is_kubernetes_node(cluster: ClusterSpec, name: str) -> bool:
    k = cluster.roles.kubernetes
    return name in k.control_plane or name in k.workers


class NodeOs(pulumi.ComponentResource):
    """Children: one `command:remote:Command` per step, named `<node>-<step>`."""

    first_boot: list[pulumi.Resource]  # after these a fresh node runs its final boot (wait-fresh-boot, or clock/identity)
    booted: list[pulumi.Resource]  # every bootstrap step nothing else here depends on: the OS on its current boot
    ready: list[pulumi.Resource]  # after `complete()`: `booted` plus the rolling reboot and runtime steps
    reboot_check: RebootCheck | None  # None on nodes without Pi firmware
    reboot: RebootSteps | None  # the rolling reboot; None on nodes without Pi firmware
    containerd: pulumi.Resource | None  # on Kubernetes nodes: the bootstrap runtime step
    containerd_rolling: pulumi.Resource | None  # on Kubernetes nodes, after `complete()`
    kubernetes_packages: pulumi.Resource | None  # kubeadm, kubelet, kubectl; on Kubernetes nodes

    def __init__(self, name: str, args: NodeOsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        node = args.spec
        super().__init__("goldentooth:nodes:Os", name, None, opts)
        self._args = args
        self._ctx = ctx = StepContext(node, args.cluster, StepRunner(node.name, args.target, self))
        self.ready = []
        self.reboot = None
        self.containerd = self.containerd_rolling = self.kubernetes_packages = None
        self._gpu = False

        clock = clock_step(ctx)
        identity = identity_step(ctx)
        base: tuple[pulumi.Resource, ...] = (clock, identity)
        self.reboot_check = None
        firmware = effective_firmware(node)
        if firmware is not None:
            boot_files = [firmware_step(ctx, firmware), cmdline_step(ctx)]
            self.reboot_check = reboot_check(ctx.runner, after=[s.command for s in boot_files],
                                             triggers=[s.trigger for s in boot_files], also_after=[clock, identity],
                                             in_service=args.in_service)
            base = (self.reboot_check.fresh_wait,)

        self.first_boot = list(base)
        swap = swap_step(ctx, *base)
        kernel = kernel_step(ctx, *base)
        mounts = mounts_step(ctx, *base)
        leaves: list[pulumi.Resource | None] = [
            operator_step(ctx, *base),
            onlink_route_step(ctx, *base),
            homepage_step(ctx, *base),
            journald_step(ctx, *base),
            wireless_step(ctx, *base) if wireless_applies(node.interface) else None,
            ssh_hardening_step(ctx, *base),
            upgrades_step(ctx, *base),
            nfs_server_step(ctx, *base, mounts),  # never the empty directory beneath a mount
            mounts,
            nfs_mounts_step(ctx, *base),
        ]
        if is_kubernetes_node(args.cluster, node.name):
            gpu = self._gpu = node.gpu is not None and node.gpu.vendor == "nvidia"
            runtime = nvidia_step(ctx, kernel) if gpu else None
            self.containerd = containerd_step(ctx, kernel, runtime, nvidia=gpu, in_service=args.in_service)
            self.kubernetes_packages = kubernetes_packages_step(ctx, self.containerd, swap)
            leaves.append(self.kubernetes_packages)
        else:
            leaves += [swap, kernel]
        self.booted = [step for step in leaves if step is not None]
        if args.complete:
            self.complete()

    def complete(self, reboot_after: Sequence[pulumi.Resource] = (),
                 runtime_after: Sequence[pulumi.Resource] = ()) -> None:
        """Register the rolling part: the reboot of a node in service (after `reboot_after`: its rollout window's
        gates and drains, the bootstrap layers) and, on a Kubernetes node, `containerd-rolling` after the reboot
        and `runtime_after` (the previous window's), so a runtime change rolls window by window."""
        ctx = self._ctx
        rolling: list[pulumi.Resource] = []
        if self.reboot_check is not None:
            self.reboot = reboot_when_required(ctx.runner, self.reboot_check,
                                               also_after=[*self.booted, *reboot_after])
            rolling.append(self.reboot.wait)
        if self.containerd is not None:
            self.containerd_rolling = containerd_step(
                ctx, self.containerd, *rolling, *(reboot_after if not rolling else ()), *runtime_after,
                nvidia=self._gpu, in_service=self._args.in_service, rolling=True)
            rolling.append(self.containerd_rolling)
        self.ready = [*self.booted, *rolling]
        self.register_outputs({"steps": len(self.ready)})
