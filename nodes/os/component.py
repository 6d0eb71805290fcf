"""`NodeOs`: the steps that converge one host's operating system, and the order they run in.

    clock ─┐
 identity ─┼─> reboot-check ─> reboot ─> wait-boot ─┬─> swap-off ──────────────┐
 firmware ─┤   (Pis only; the reboot also waits for  │   kernel ─> [nvidia-runtime] ─> containerd ─> k8s packages
  cmdline ─┘   its rollout window's quorum gates     ├─> journald, wireless-off, ssh-hardening, unattended-upgrades,
               and drains: nodes/rollout)            │   operator-user, [metallb-route], homepage
                                                     └─> [mounts] ─> nfs-server, nfs-mounts

Everything that could be cut short by the reboot runs before it; everything else runs on the final boot
configuration. On a node without Pi firmware (velaryon) the later steps follow clock and identity directly.
Kubernetes pieces run on Kubernetes nodes only; the NVIDIA runtime on Kubernetes nodes with an NVIDIA GPU.
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
    # False: registration stops after `reboot-check`; `complete()` registers the reboot and the rest once the
    # rollout (nodes/rollout) has registered what this node's reboot must wait for.
    complete: bool = True


def is_kubernetes_node(cluster: ClusterSpec, name: str) -> bool:
    k = cluster.roles.kubernetes
    return name in k.control_plane or name in k.workers


class NodeOs(pulumi.ComponentResource):
    """Children: one `command:remote:Command` per step, named `<node>-<step>`."""

    ready: list[pulumi.Resource]  # every step nothing else here depends on: after them, the OS is converged
    reboot_check: RebootCheck | None  # None on nodes without Pi firmware
    reboot: RebootSteps | None  # None on nodes without Pi firmware
    containerd: pulumi.Resource | None  # on Kubernetes nodes
    kubernetes_packages: pulumi.Resource | None  # kubeadm, kubelet, kubectl; on Kubernetes nodes

    def __init__(self, name: str, args: NodeOsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        node = args.spec
        super().__init__("goldentooth:nodes:Os", name, None, opts)
        self._args = args
        self._ctx = ctx = StepContext(node, args.cluster, StepRunner(node.name, args.target, self))
        self.ready = []
        self.reboot = None
        self.containerd = self.kubernetes_packages = None

        clock = clock_step(ctx)
        identity = identity_step(ctx)
        self._base: tuple[pulumi.Resource, ...] = (clock, identity)
        self.reboot_check = None
        firmware = effective_firmware(node)
        if firmware is not None:
            boot_files = [firmware_step(ctx, firmware), cmdline_step(ctx)]
            self.reboot_check = reboot_check(ctx.runner, after=[s.command for s in boot_files],
                                             triggers=[s.trigger for s in boot_files], also_after=[clock, identity])
        if args.complete:
            self.complete()

    def complete(self, reboot_after: Sequence[pulumi.Resource] = (),
                 runtime_after: Sequence[pulumi.Resource] = ()) -> None:
        """Register the reboot (after `reboot_after`: the gates and drains of this node's rollout window) and every
        step that runs on the final boot configuration. `runtime_after`: the previous rollout window's container
        runtime and Kubernetes package steps, so a runtime or package change rolls window by window."""
        ctx, node, base = self._ctx, self._args.spec, self._base
        if self.reboot_check is not None:
            self.reboot = reboot_when_required(ctx.runner, self.reboot_check, also_after=reboot_after)
            base = (self.reboot.wait,)

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
        if is_kubernetes_node(self._args.cluster, node.name):
            gpu = node.gpu is not None and node.gpu.vendor == "nvidia"
            runtime = nvidia_step(ctx, kernel) if gpu else None
            self.containerd = containerd_step(ctx, kernel, runtime, *runtime_after, nvidia=gpu)
            self.kubernetes_packages = kubernetes_packages_step(ctx, self.containerd, swap)
            leaves.append(self.kubernetes_packages)
        else:
            leaves += [swap, kernel]
        self.ready = [step for step in leaves if step is not None]
        self.register_outputs({"steps": len(self.ready)})
