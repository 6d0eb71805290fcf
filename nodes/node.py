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
    # False: the node stops after its `reboot-check`; the rollout (nodes/rollout) calls `complete()` once it has
    # registered what the reboot waits for (the previous window, the quorum gates, the drain).
    complete: bool = True


class Node(pulumi.ComponentResource):
    """A host of the inventory. Later layers run their steps through `runner` so they land under this node."""

    spec: NodeSpec
    target: SshTarget
    runner: StepRunner
    fqdn: str
    # The steps after which the host's OS is converged (packages, kernel, runtime). Later layers put
    # these in `depends_on` of their first step on this node. The node layer fills the list.
    os_ready: list[pulumi.Resource]
    os: NodeOs  # the node layer's steps (nodes/os/component.py): handles for precise edges
    reboot_check: RebootCheck | None  # on nodes that can reboot: whether this run reboots them
    reboot_done: pulumi.Resource | None  # the wait-for-new-boot step, on nodes that can reboot

    def __init__(self, name: str, args: NodeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:nodes:Node", name, None, opts)
        self.spec = args.spec
        self.fqdn = args.cluster.domains.node_fqdn(args.spec.name)
        self.target = args.target
        self.runner = StepRunner(args.spec.name, args.target, self)
        self.os = NodeOs(f"{args.spec.name}-os", NodeOsArgs(args.spec, args.cluster, args.target, complete=False),
                         pulumi.ResourceOptions(parent=self))
        self.reboot_check = self.os.reboot_check
        self.os_ready = []
        self.reboot_done = None
        if args.complete:
            self.complete()

    def complete(self, reboot_after: Sequence[pulumi.Resource] = (),
                 runtime_after: Sequence[pulumi.Resource] = ()) -> None:
        """Register the reboot after `reboot_after`, the container runtime after `runtime_after` (the previous
        rollout window's) and the other steps on the final boot configuration."""
        self.os.complete(reboot_after, runtime_after)
        self.os_ready.extend(self.os.ready)  # after anything a caller added before completion
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
