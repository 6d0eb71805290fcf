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

    def export(self) -> dict[str, object]:
        return {"members": {path: list(names) for path, names in sorted(self.members.items())},
                "kubeadmInit": self.kubeadm_init}


def kubeadm_init_node(spec: ClusterSpec) -> str:
    """The node whose step runs `kubeadm init` (config/spec.py)."""
    return spec.kubeadm_init_node()


def memberships(spec: ClusterSpec) -> Memberships:
    return Memberships({path: names for path, names in spec.roles.member_lists()}, kubeadm_init_node(spec))
