"""The `Node` component: one host, its SSH target and the steps that converge it."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.reboot import RebootCheck
from components.remote_step import StepRunner
from components.ssh import SshTarget
from config.nodes import NodeSpec
from config.spec import ClusterSpec
from nodes.os.component import NodeOs, NodeOsArgs


@dataclass(frozen=True)
class NodeArgs:
    spec: NodeSpec
    cluster: ClusterSpec
    target: SshTarget
    in_service: str = "false"  # shell condition: the node serves something (nodes/os/in_service.py)
    # False: the rolling part (reboot in its window, containerd-rolling) waits until the rollout (rollout/) calls
    # `complete()` with what it must wait for (the previous window, the quorum gates, the drain).
    complete: bool = True


class Node(pulumi.ComponentResource):
    """A host of the inventory. Later layers run their steps through `runner` so they land under this node."""

    spec: NodeSpec
    target: SshTarget
    runner: StepRunner
    fqdn: str
    # The bootstrap steps after which the host's OS is converged on its current boot (packages, kernel,
    # runtime): a fresh node has rebooted into its final configuration, a node in service may still reboot in its
    # rollout window. The layers built before the rollout (pki, edge, k8s: `cluster/registry.py`) put these in
    # `depends_on` of their first step on this node; the rollout's reboot of the node waits for all they did.
    booted: list[pulumi.Resource]
    # After these a fresh node runs its final boot configuration: what a bootstrap step that needs only the
    # node's apt and network (not its whole OS) waits for, e.g. HAProxy's install on the API path.
    first_boot: list[pulumi.Resource]
    os: NodeOs  # the node layer's steps (nodes/os/component.py): handles for precise edges
    reboot_check: RebootCheck | None  # on nodes that can reboot: whether this run reboots them
    reboot_done: pulumi.Resource | None  # the rolling wait-for-new-boot step, once the rollout completed the node
    _ready: list[pulumi.Resource] | None

    def __init__(self, name: str, args: NodeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:nodes:Node", name, None, opts)
        self.spec = args.spec
        self.fqdn = args.cluster.domains.node_fqdn(args.spec.name)
        self.target = args.target
        self.runner = StepRunner(args.spec.name, args.target, self)
        self.os = NodeOs(f"{args.spec.name}-os", NodeOsArgs(args.spec, args.cluster, args.target, args.in_service, complete=False),
                         pulumi.ResourceOptions(parent=self))
        self.reboot_check = self.os.reboot_check
        self.booted = list(self.os.booted)
        self.first_boot = list(self.os.first_boot)
        self._ready = None
        self.reboot_done = None
        if args.complete:
            self.complete()

    @property
    def os_ready(self) -> list[pulumi.Resource]:
        """`booted`, the rolling reboot and runtime steps: what the layers built after the rollout wait for (a
        restart of theirs never overlaps the node's rolling reboot). Read before the rollout completed the node,
        it would silently order nothing, so it fails instead."""
        if self._ready is None:
            raise RuntimeError(f"{self.spec.name}: os_ready read before the rollout completed the node; a layer "
                               "built before the rollout (cluster/registry.py) depends on `booted`")
        return self._ready

    def complete(self, reboot_after: Sequence[pulumi.Resource] = (),
                 runtime_after: Sequence[pulumi.Resource] = ()) -> None:
        """Register the rolling reboot after `reboot_after`, the rolling container runtime step after
        `runtime_after` (the previous rollout window's)."""
        self.os.complete([*reboot_after, *self.booted[len(self.os.booted):]], runtime_after)
        # after anything a caller added to `booted` (a rebuilt node's forget steps)
        self._ready = [*self.booted, *self.os.ready[len(self.os.booted):]]
        self.reboot_done = self.os.reboot.wait if self.os.reboot is not None else None
        self.register_outputs(
            {
                "name": self.spec.name,
                "ip": str(self.spec.ip),
                "fqdn": self.fqdn,
                "model": self.spec.model.value,
                "architecture": self.spec.architecture,
            }
        )

    def runner_under(self, parent: pulumi.Resource) -> StepRunner:
        """A runner that targets this host but parents its steps under another layer's component
        (e.g. `goldentooth:k8s:WorkerJoin`), so the plan groups them by layer and by node."""
        return StepRunner(self.spec.name, self.target, parent)
