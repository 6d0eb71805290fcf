"""Which node does what: the role matrix of the inventory, as data. Names refer to `nodes[].name`."""

from pydantic import Field

from config.base import ConfigModel

Names = tuple[str, ...]


class KubernetesRoles(ConfigModel):
    control_plane: Names  # the first one runs `kubeadm init`
    workers: Names
    gpu_workers: Names = ()  # a subset of workers


class ServerClientRoles(ConfigModel):
    servers: Names
    clients: Names = ()


class NomadRoles(ServerClientRoles):
    gpu_clients: Names = ()  # a subset of clients


class NfsExport(ConfigModel):
    node: str
    path: str = Field(pattern=r"^/[^\s]*$")
    clients: str  # "*" or a CIDR
    options: str = "rw,sync,no_root_squash,no_subtree_check"
    mount_at: str | None = Field(default=None, pattern=r"^/[^\s]*$")  # where every node mounts it; default: path


class SeaweedfsRoles(ConfigModel):
    masters: Names  # a raft quorum: odd
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
    consul: ServerClientRoles
    vault: ServerClientRoles
    nomad: NomadRoles
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
