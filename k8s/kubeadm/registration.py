"""How each node registers with the cluster: name, node IP, labels and taints, decided from the role matrix.

Labels and taints are set by the kubelet when it registers (kubeadm `nodeRegistration`), so a GPU node never
runs a single pod that does not tolerate it, not even in the seconds after it joins.
"""

from dataclasses import dataclass

from config.nodes import NodeSpec
from config.spec import ClusterSpec

CONTROL_PLANE_TAINT = ("node-role.kubernetes.io/control-plane", "", "NoSchedule")
GPU_LABEL = ("gpu", "true")
GPU_TAINT = ("gpu", "true", "NoSchedule")


@dataclass(frozen=True)
class Registration:
    name: str
    ip: str
    labels: tuple[tuple[str, str], ...] = ()
    taints: tuple[tuple[str, str, str], ...] = ()  # (key, value, effect)

    def kubelet_extra_args(self) -> list[dict[str, str]]:
        # node-ip pins the address the node advertises: a Pi whose wlan0 is up must not register that one.
        args = [{"name": "node-ip", "value": self.ip}]
        if self.labels:
            args.append({"name": "node-labels", "value": ",".join(f"{k}={v}" for k, v in self.labels)})
        return args

    def taint_list(self) -> list[dict[str, str]]:
        return [{"key": k, "value": v, "effect": e} if v else {"key": k, "effect": e} for k, v, e in self.taints]


def registration(spec: ClusterSpec, node: NodeSpec) -> Registration:
    k8s_roles = spec.roles.kubernetes
    labels: list[tuple[str, str]] = []
    taints: list[tuple[str, str, str]] = []
    if node.name in k8s_roles.control_plane:
        taints.append(CONTROL_PLANE_TAINT)
    if node.name in k8s_roles.gpu_workers:
        labels += [GPU_LABEL, ("arch", node.architecture)]
        taints.append(GPU_TAINT)
    return Registration(node.name, str(node.ip), tuple(labels), tuple(taints))
