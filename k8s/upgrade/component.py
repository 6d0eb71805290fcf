"""`KubernetesUpgrade`: the ordered move from `kubernetes.upgradeFrom` to `versions.kubernetes`.

The program cannot ask a cluster which version it runs while evaluating (offline, or in a preview without the
LAN), so the operator states it in `kubernetes.upgradeFrom` when raising `versions.kubernetes`; config
validation rejects a downgrade or a skipped minor before anything is registered. Each step's script carries
the target version, so its trigger changes (and the step runs) only when the version does; each script also
checks what is running first, so a re-run after a partial failure resumes instead of repeating work.

Order: `kubeadm upgrade apply` on the first control plane, `kubeadm upgrade node` on the others one by one,
then each worker in turn: drain (from the first control plane), upgrade kubeadm, kubelet, kubectl, uncordon.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi

from components.remote_step import StepOptions
from components.script import Script
from nodes.node import Node

_CONTROL_PLANE = Script.beside(__file__, "control_plane.sh")
_WORKER = Script.beside(__file__, "worker.sh")
_DRAIN = Script.beside(__file__, "drain.sh")
_UNCORDON = Script.beside(__file__, "uncordon.sh")


@dataclass(frozen=True)
class UpgradeArgs:
    version: str
    from_version: str
    control_plane: Sequence[Node]  # the first one runs `kubeadm upgrade apply`
    workers: Sequence[Node]
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)  # every join: the cluster exists


class KubernetesUpgrade(pulumi.ComponentResource):
    steps: list[pulumi.Resource]  # in the order they run
    last: pulumi.Resource

    def __init__(self, name: str, args: UpgradeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:KubernetesUpgrade", name, None, opts)
        first = args.control_plane[0]
        previous: list[pulumi.Resource] = list(args.after)
        self.steps = []

        def chain(node: Node, runner_node: Node, name: str, script: Script, params: dict[str, str]) -> None:
            nonlocal previous
            step = runner_node.runner_under(self).run(
                name,
                script,
                {"GT_VERSION": args.version, "GT_NODE": node.spec.name, **params},
                options=StepOptions(depends_on=[*previous, *runner_node.os_ready], timeout="30m"),
            )
            self.steps.append(step)
            previous = [step]

        for index, node in enumerate(args.control_plane):
            chain(node, node, "kubernetes-upgrade", _CONTROL_PLANE, {"GT_FIRST": "1" if index == 0 else "0"})
        for node in args.workers:
            chain(node, first, f"drain-{node.spec.name}", _DRAIN, {})
            chain(node, node, "kubernetes-upgrade", _WORKER, {})
            chain(node, first, f"uncordon-{node.spec.name}", _UNCORDON, {})
        self.last = self.steps[-1]
        self.register_outputs({"from": args.from_version, "to": args.version})
