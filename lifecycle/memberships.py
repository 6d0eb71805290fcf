"""What the stack's memberships are: exported as the stack output `memberships` after each `up`, and read back
before the next one (lifecycle/previous.py), so a change is checked against what was applied, not against a copy
someone must keep."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from config.spec import ClusterSpec


@dataclass(frozen=True)
class Memberships:
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # config path of a role list -> names
    kubeadm_init: str | None = None  # the node that ran `kubeadm init`: a bootstrap, not a membership
    # What the last `up` applied that a later edit cannot simply overwrite (lifecycle/transitions.py): the
    # Kubernetes version the nodes run, and each Kubernetes node's address (kubelet, etcd and the API certificate
    # keep it). Absent in an output written before they existed: nothing to compare.
    kubernetes_version: str | None = None
    addresses: Mapping[str, str] = field(default_factory=dict)  # Kubernetes node -> its address

    def export(self) -> dict[str, object]:
        return {"members": {path: list(names) for path, names in sorted(self.members.items())},
                "kubeadmInit": self.kubeadm_init, "kubernetesVersion": self.kubernetes_version,
                "addresses": dict(sorted(self.addresses.items()))}


def kubeadm_init_node(spec: ClusterSpec) -> str:
    """The node whose step runs `kubeadm init` (config/spec.py)."""
    return spec.kubeadm_init_node()


def memberships(spec: ClusterSpec) -> Memberships:
    k8s = spec.roles.kubernetes
    addresses = {n.name: str(n.ip) for n in spec.nodes if n.name in {*k8s.control_plane, *k8s.workers}}
    return Memberships({path: names for path, names in spec.roles.member_lists()}, kubeadm_init_node(spec),
                       spec.versions.kubernetes, addresses)
