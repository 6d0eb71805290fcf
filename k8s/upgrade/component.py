"""`KubernetesUpgrade`: the ordered move from `kubernetes.upgradeFrom` to `versions.kubernetes`.

The program cannot ask a cluster which version it runs while evaluating (offline, or in a preview without the
LAN), so the operator states it in `kubernetes.upgradeFrom` when raising `versions.kubernetes`; config
validation rejects a downgrade or a skipped minor before anything is registered, and a bump without it stops at
each node's package step (nodes/os/kubernetes_packages.sh) instead of leaving the cluster silently behind. Each
step's script carries the target version, so its trigger changes (and the step runs) only when the version
does; each script also checks what is running first, so a re-run after a partial failure resumes.

Order: the control plane one node at a time, each after etcd is healthy again (the node layer's quorum gate):
`kubeadm upgrade apply` on the first, `kubeadm upgrade node` on the others, each drained for its kubelet. Then the
workers in the rollout's batches (`rollout.maxParallel`, nodes/rollout/plan.py): every worker of a batch is
drained from the first control plane, upgraded (kubeadm, kubelet, kubectl) and uncordoned before the next batch.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi

from components.contributions import QuorumCheck
from components.remote_step import StepOptions
from components.script import Script
from config.rollout import RolloutSpec
from nodes.node import Node
from nodes.rollout.gate import quorum_gate

_CONTROL_PLANE = Script.beside(__file__, "control_plane.sh")
_WORKER = Script.beside(__file__, "worker.sh")
_DRAIN = Script.beside(__file__, "drain.sh")
_UNCORDON = Script.beside(__file__, "uncordon.sh")


@dataclass(frozen=True)
class UpgradeArgs:
    version: str
    from_version: str
    control_plane: Sequence[Node]  # the first one runs `kubeadm upgrade apply`
    worker_batches: Sequence[Sequence[Node]]  # upgraded batch after batch (nodes/rollout/plan.py)
    rollout: RolloutSpec = field(default_factory=RolloutSpec)
    etcd: QuorumCheck | None = None  # the gate before each control-plane node (None: no gate)
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)  # every join: the cluster exists


class KubernetesUpgrade(pulumi.ComponentResource):
    steps: list[pulumi.Resource]  # in the order they were registered
    last: pulumi.Resource

    def __init__(self, name: str, args: UpgradeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:KubernetesUpgrade", name, None, opts)
        first = args.control_plane[0]
        self.steps = []
        drain_params = {"GT_GRACE_SECONDS": str(args.rollout.drain_grace_period_seconds),
                        "GT_TIMEOUT_SECONDS": str(args.rollout.drain_timeout_seconds)}

        def step(node: Node, runner_node: Node, name: str, script: Script, params: dict[str, str],
                 after: Sequence[pulumi.Resource]) -> pulumi.Resource:
            created = runner_node.runner_under(self).run(
                name,
                script,
                {"GT_VERSION": args.version, "GT_NODE": node.spec.name, **params},
                options=StepOptions(depends_on=[*after, *runner_node.booted], timeout="30m"),
            )
            self.steps.append(created)
            return created

        previous: list[pulumi.Resource] = list(args.after)
        for index, node in enumerate(args.control_plane):
            if args.etcd is not None:
                runner = next((n for n in args.control_plane if n.spec.name == args.etcd.run_on), first)
                gate = quorum_gate(runner.runner_under(self), f"etcd-healthy-before-upgrading-{node.spec.name}",
                                   args.etcd, node.spec.name, "upgrade", args.rollout, reboot_check=None,
                                   depends_on=[*previous, *runner.booted], triggers=[args.version])
                self.steps.append(gate)
                previous = [gate]
            previous = [step(node, node, "kubernetes-upgrade", _CONTROL_PLANE,
                             {"GT_FIRST": "1" if index == 0 else "0", **drain_params}, previous)]
        for batch in args.worker_batches:
            drains = [step(w, first, f"drain-{w.spec.name}", _DRAIN, drain_params, previous) for w in batch]
            upgrades = [step(w, w, "kubernetes-upgrade", _WORKER, {}, [d]) for w, d in zip(batch, drains, strict=True)]
            previous = [step(w, first, f"uncordon-{w.spec.name}", _UNCORDON, {}, upgrades) for w in batch]
        self.last = self.steps[-1]
        self.register_outputs({"from": args.from_version, "to": args.version})
