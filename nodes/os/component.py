"""`NodeOs`: the steps that converge one host's operating system, and the order they run in.

    clock ─┐
 identity ─┼─> reboot ─> wait-boot ─┬─> swap-off ──────────────┐
 firmware ─┤   (Pis only; after the │   kernel ─> [nvidia-runtime] ─> containerd ─> kubernetes-packages
  cmdline ─┘    previous quorum     ├─> journald, wireless-off, ssh-hardening, unattended-upgrades,
                member's wait-boot) │   operator-user, [metallb-route], homepage
                                    └─> [mounts] ─> nfs-server, nfs-mounts

Everything that could be cut short by the reboot runs before it; everything else runs on the final boot
configuration. On a node without Pi firmware (velaryon) the later steps follow clock and identity directly.
Kubernetes pieces run on Kubernetes nodes only; the NVIDIA runtime on Kubernetes nodes with an NVIDIA GPU.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi

from components.reboot import RebootSteps, reboot_when_required
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
    # Resources that must be complete before this node may reboot (the previous quorum member's wait step).
    reboot_after: Sequence[pulumi.Resource] = field(default_factory=tuple)


def is_kubernetes_node(cluster: ClusterSpec, name: str) -> bool:
    k = cluster.roles.kubernetes
    return name in k.control_plane or name in k.workers


class NodeOs(pulumi.ComponentResource):
    """Children: one `command:remote:Command` per step, named `<node>-<step>`."""

    ready: list[pulumi.Resource]  # every step nothing else here depends on: after them, the OS is converged
    reboot: RebootSteps | None  # None on nodes without Pi firmware
    containerd: pulumi.Resource | None  # on Kubernetes nodes
    kubernetes_packages: pulumi.Resource | None  # kubeadm, kubelet, kubectl; on Kubernetes nodes

    def __init__(self, name: str, args: NodeOsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        node = args.spec
        super().__init__("goldentooth:nodes:Os", name, None, opts)
        ctx = StepContext(node, args.cluster, StepRunner(node.name, args.target, self))

        clock = clock_step(ctx)
        identity = identity_step(ctx)
        base: tuple[pulumi.Resource, ...] = (clock, identity)
        self.reboot = None
        firmware = effective_firmware(node)
        if firmware is not None:
            boot_files = [firmware_step(ctx, firmware), cmdline_step(ctx)]
            self.reboot = reboot_when_required(
                ctx.runner,
                after=[s.command for s in boot_files],
                triggers=[s.trigger for s in boot_files],
                also_after=[clock, identity, *args.reboot_after],
            )
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
        self.containerd = self.kubernetes_packages = None
        if is_kubernetes_node(args.cluster, node.name):
            gpu = node.gpu is not None and node.gpu.vendor == "nvidia"
            runtime = nvidia_step(ctx, kernel) if gpu else None
            self.containerd = containerd_step(ctx, kernel, runtime, nvidia=gpu)
            self.kubernetes_packages = kubernetes_packages_step(ctx, self.containerd, swap)
            leaves.append(self.kubernetes_packages)
        else:
            leaves += [swap, kernel]
        self.ready = [step for step in leaves if step is not None]
        self.register_outputs({"steps": len(self.ready)})
