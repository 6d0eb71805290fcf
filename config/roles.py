"""Which node does what: the role matrix of the inventory, as data. Names refer to `nodes[].name`.

The model describes itself: a field marked `QuorumMembers` is a raft/etcd quorum (odd, members reboot one at a
time), and `RolesSpec.member_lists()` / `quorums()` walk the fields, so a new role is one field here and every
rule that reads roles (config/rules.py, nodes/rollout/plan.py) sees it.

Every list of names is a set: after validation `config/canonical.py` sorts them (not `kubernetes.controlPlane`,
whose first node runs `kubeadm init`), so where a role needs one member (the Consul, Vault and Nomad server that
bootstraps, the ZFS replication source, the primary Slurm controller) it is the first by name.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, Field

from config.base import ConfigModel

Names = tuple[str, ...]


@dataclass(frozen=True)
class QuorumMembers:
    """Marks a field as the members of a quorum. `label` names it in messages; without one, the quorum is the
    raft of the section that holds the field (`Consul raft`, from the section's `Title`)."""

    label: str | None = None


@dataclass(frozen=True)
class Title:
    """How messages name a roles section (`Consul`)."""

    text: str


@dataclass(frozen=True)
class Quorum:
    path: str  # config path of the member list, e.g. roles.consul.servers
    label: str  # e.g. "Consul raft"
    members: Names


class KubernetesRoles(ConfigModel):
    control_plane: Annotated[Names, QuorumMembers("etcd")]  # kubernetes.initNode (or the first by name) runs `kubeadm init`
    workers: Names
    gpu_workers: Names = ()  # a subset of workers


class ServerClientRoles(ConfigModel):
    servers: Annotated[Names, QuorumMembers()]
    clients: Names = ()


class NomadRoles(ServerClientRoles):
    gpu_clients: Names = ()  # a subset of clients


class NfsExport(ConfigModel):
    node: str
    path: str = Field(pattern=r"^/[^\s]*$")
    clients: str  # "*" or a CIDR
    options: str = "rw,sync,no_root_squash,no_subtree_check"
    mount_at: str | None = Field(default=None, pattern=r"^/[^\s]*$")  # where every node mounts it; default: path

    # Which of the fields name a node (the rest are paths and options).
    NODE_FIELDS: ClassVar[tuple[str, ...]] = ("node",)


class SeaweedfsRoles(ConfigModel):
    masters: Annotated[Names, QuorumMembers("SeaweedFS master raft")]
    volumes: Names  # on each node's `seaweedfs` disk
    filers: Names = ()  # the file API (and the Kubernetes CSI driver's endpoint)


class SlurmRoles(ConfigModel):
    controllers: Names
    compute: Names


class RayRoles(ConfigModel):
    head: str
    workers: Names
    gpu_workers: Names = ()


class RolesSpec(ConfigModel):
    """`goldentooth:roles`."""

    kubernetes: KubernetesRoles
    consul: Annotated[ServerClientRoles, Title("Consul")]
    vault: Annotated[ServerClientRoles, Title("Vault")]
    nomad: Annotated[NomadRoles, Title("Nomad")]
    step_ca: str
    authelia: str
    haproxy: str
    prometheus: str
    grafana: str
    loki: str
    nfs_exports: tuple[NfsExport, ...] = ()
    zfs: Names = ()
    seaweedfs: SeaweedfsRoles | None = None
    slurm: SlurmRoles | None = None
    ray: RayRoles | None = None
    ollama: Names = ()

    def member_lists(self) -> Iterator[tuple[str, Names]]:
        """(path, names) of every list of node names, sections that are not set left out."""
        for path, value, _ in _walk(self, "roles"):
            if isinstance(value, tuple):
                yield path, value

    def members(self) -> Iterator[tuple[str, str]]:
        """(path, node name) of every name in the role matrix, lists and single roles alike."""
        for path, value, _ in _walk(self, "roles"):
            if isinstance(value, tuple):
                yield from ((f"{path}[{i}]", name) for i, name in enumerate(value))
            else:
                yield path, value

    def quorums(self) -> tuple[Quorum, ...]:
        """Every quorum the roles define, in field order."""
        return tuple(Quorum(path, label, value) for path, value, label in _walk(self, "roles")
                     if label is not None and isinstance(value, tuple))


def _walk(model: BaseModel, path: str, title: str | None = None) -> Iterator[tuple[str, Any, str | None]]:
    """(path, names or name, quorum label or None) of every field that names nodes, depth first in field order."""
    node_fields = getattr(type(model), "NODE_FIELDS", None)
    for name, info in type(model).model_fields.items():
        if node_fields is not None and name not in node_fields:
            continue
        value = getattr(model, name)
        sub = f"{path}.{info.alias or name}"
        if value is None:
            continue
        if isinstance(value, BaseModel):
            titles = [m.text for m in info.metadata if isinstance(m, Title)]
            yield from _walk(value, sub, titles[0] if titles else None)
        elif isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            for i, item in enumerate(value):
                yield from _walk(item, f"{sub}[{i}]")
        elif isinstance(value, (tuple, str)):
            markers = [m for m in info.metadata if isinstance(m, QuorumMembers)]
            label = None
            if markers:
                label = markers[0].label or f"{title} raft"
            yield sub, value, label
