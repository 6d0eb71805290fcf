"""`goldentooth:batch`: Slurm (with munge and Lmod modules), Ray and Ollama settings. Which nodes run what is
in `roles.slurm`, `roles.ray` and `roles.ollama`; this section holds versions, margins and ports.

Absent means the batch layer registers nothing. Each part (slurm, ray, ollama) is built only when both its
settings here and its role entry exist; `batch_violations` reports a part that has one without the other.
"""

import re
from collections.abc import Iterator, Mapping

from pydantic import Field, field_validator

from config.base import ConfigModel
from config.errors import Violation
from config.hardware import HardwareModel
from config.nodes import NodeSpec
from config.roles import RolesSpec

_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
_ABSOLUTE = r"^/[A-Za-z0-9._/-]*$"

# Cores of each board (all quad-core). A model missing here (x86) needs `slurm.cpus.<node>`.
MODEL_CPUS: Mapping[HardwareModel, int] = {
    HardwareModel.PI4B_8GB: 4,
    HardwareModel.PI4B_4GB: 4,
    HardwareModel.PI5_8GB: 4,
}


def _exact(value: str) -> str:
    if not _SEMVER.match(value):
        raise ValueError(f"{value!r} is not an exact version (want MAJOR.MINOR.PATCH)")
    return value


class AccountingSpec(ConfigModel):
    """slurmdbd and its MariaDB on one node; the controllers send job records there."""

    node: str
    port: int = Field(default=6819, ge=1, le=65535)


class ReleaseSpec(ConfigModel):
    """A pinned release tarball, verified against the checksum given here for each architecture."""

    version: str
    sha256: dict[str, str]  # Debian architecture (amd64, arm64) -> sha256 of the tarball
    url: str
    port: int = Field(ge=1, le=65535)

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        return _exact(value)

    @field_validator("sha256")
    @classmethod
    def _sums(cls, value: dict[str, str]) -> dict[str, str]:
        for arch, digest in value.items():
            if not _SHA256.match(digest):
                raise ValueError(f"{arch}: {digest!r} is not a lower-case sha256 hex digest")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith("https://") or "{version}" not in value or "{arch}" not in value:
            raise ValueError(f"{value!r} must be an https URL with {{version}} and {{arch}} in it")
        if "latest" in value:
            raise ValueError(f"{value!r} names a moving 'latest': pin a release")
        return value

    def release_url(self, arch: str) -> str:
        return self.url.format(version=self.version, arch=arch)


class ExporterSpec(ReleaseSpec):
    """The rivosinc prometheus-slurm-exporter release (reference: v1.6.10 on port 9092)."""

    url: str = (
        "https://github.com/rivosinc/prometheus-slurm-exporter/releases/download/v{version}/"
        "prometheus-slurm-exporter_linux_{arch}.tar.gz"
    )
    port: int = Field(default=9092, ge=1, le=65535)


class SlurmSettings(ConfigModel):
    """Slurm from the distribution (Debian's 22.05.8 on bookworm), configured from the inventory."""

    # RealMemory = the model's memory minus this share: the kernel and firmware keep part of it (a 4 GB Pi
    # reports about 3797 MiB), and slurmd refuses a node whose RealMemory is above what it finds.
    real_memory_margin_percent: int = Field(default=10, ge=8, le=50)
    cpus: dict[str, int] = Field(default_factory=dict)  # node -> CPUs, for models MODEL_CPUS does not know
    shared_root: str = Field(default="/mnt/nfs/slurm", pattern=_ABSOLUTE)  # on an NFS export every node mounts
    state_save_location: str = Field(default="/mnt/nfs/slurm/var/spool/slurm/ctld", pattern=_ABSOLUTE)
    slurmctld_timeout: int = Field(default=30, ge=10, le=600)  # seconds before a backup controller takes over
    accounting: AccountingSpec | None = None
    # The munge key is generated (pulumi-random). A node holding another key (the one the Ansible era copied
    # from bettley) is left alone and the step stops, until this says to replace it on every node.
    replace_munge_key: bool = False
    exporter: ExporterSpec | None = None  # prometheus-slurm-exporter on every controller, when set
    version: str = "22.05.8"  # Debian bookworm's slurm-wlm; apt pins the upstream version on every node
    lmod_version: str = "8.6.19"  # Debian's lmod package (apt pins the upstream version)

    @field_validator("version", "lmod_version")
    @classmethod
    def _lmod(cls, value: str) -> str:
        return _exact(value)


class RaySettings(ConfigModel):
    version: str = "2.46.0"  # installed once into /opt/ray/<version>
    gcs_port: int = Field(default=6379, ge=1, le=65535)
    dashboard_port: int = Field(default=8265, ge=1, le=65535)
    metrics_port: int = Field(default=8080, ge=1, le=65535)
    client_port: int = Field(default=10001, ge=1, le=65535)
    hostname: str = "ray"  # the dashboard is `<hostname>.<domains.services>` behind HAProxy

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        return _exact(value)

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, value: str) -> str:
        if not _DNS_LABEL.match(value):
            raise ValueError(f"{value!r} is not a DNS label")
        return value


class OllamaSettings(ReleaseSpec):
    """Ollama's release tarball for the node's architecture (no install script, no moving 'latest')."""

    url: str = "https://github.com/ollama/ollama/releases/download/v{version}/ollama-linux-{arch}.tgz"
    port: int = Field(default=11434, ge=1, le=65535)
    hostname: str = "ollama"  # the API is `<hostname>.<domains.services>` behind HAProxy
    memory_max: str = Field(default="16G", pattern=r"^[0-9]+[KMGT]?$")
    cpu_quota_percent: int = Field(default=800, ge=100)

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, value: str) -> str:
        if not _DNS_LABEL.match(value):
            raise ValueError(f"{value!r} is not a DNS label")
        return value


class BatchSpec(ConfigModel):
    """`goldentooth:batch`."""

    slurm: SlurmSettings | None = None
    ray: RaySettings | None = None
    ollama: OllamaSettings | None = None


def model_memory_mib(node: NodeSpec) -> int | None:
    gb = node.memory_gb
    return None if gb is None else gb * 1024


def real_memory_mib(node: NodeSpec, margin_percent: int) -> int | None:
    """What slurm.conf promises for `node`: its model's memory less the margin, in MiB (slurmd's unit)."""
    total = model_memory_mib(node)
    return None if total is None else total * (100 - margin_percent) // 100


def node_cpus(node: NodeSpec, slurm: SlurmSettings) -> int | None:
    return slurm.cpus.get(node.name, MODEL_CPUS.get(node.model))


def batch_violations(batch: BatchSpec | None, roles: RolesSpec | None, nodes: Mapping[str, NodeSpec]) -> Iterator[Violation]:
    if batch is None or roles is None:
        return
    yield from _slurm(batch.slurm, roles, nodes)
    if batch.ray is not None:
        if roles.ray is None:
            yield Violation("batch.ray", "is set but roles.ray names no head and workers")
        else:
            ports = {"gcsPort": batch.ray.gcs_port, "dashboardPort": batch.ray.dashboard_port,
                     "metricsPort": batch.ray.metrics_port, "clientPort": batch.ray.client_port}
            yield from _distinct_ports("batch.ray", ports)
    if batch.ollama is not None:
        if not roles.ollama:
            yield Violation("batch.ollama", "is set but roles.ollama names no node")
        yield from _checksums("batch.ollama.sha256", batch.ollama, roles.ollama, nodes, "roles.ollama")


def _slurm(slurm: SlurmSettings | None, roles: RolesSpec, nodes: Mapping[str, NodeSpec]) -> Iterator[Violation]:
    if slurm is None:
        return
    r = roles.slurm
    if r is None:
        yield Violation("batch.slurm", "is set but roles.slurm names no controllers and compute nodes")
        return
    if not r.controllers:
        yield Violation("roles.slurm.controllers", "Slurm needs at least one controller")
    elif len(r.controllers) > 3:
        # Slurm 22.05 stops at SlurmctldHost index 9, but every backup polls the state directory; three is
        # what a 16-node cluster can use and what the failover test exercises.
        yield Violation("roles.slurm.controllers", f"{len(r.controllers)} controllers: use a primary and at most two backups")
    if not r.compute:
        yield Violation("roles.slurm.compute", "Slurm needs at least one compute node")
    if not slurm.state_save_location.startswith(slurm.shared_root.rstrip("/") + "/") and len(r.controllers) > 1:
        yield Violation("batch.slurm.stateSaveLocation",
                        f"{slurm.state_save_location} is outside sharedRoot {slurm.shared_root}: backup controllers "
                        "take over only when they see the primary's state directory")
    for name in sorted(set(slurm.cpus) - set(r.compute)):
        yield Violation(f"batch.slurm.cpus.{name}", f"{name!r} is not in roles.slurm.compute")
    for name, count in sorted(slurm.cpus.items()):
        if count < 1:
            yield Violation(f"batch.slurm.cpus.{name}", f"{count} CPUs: a node has at least one")
    for name in r.compute:
        node = nodes.get(name)
        if node is None:
            continue
        if node_cpus(node, slurm) is None:
            yield Violation("roles.slurm.compute", f"{name!r} is a {node.model}, whose core count is not known: "
                                                   f"set batch.slurm.cpus.{name}")
        if real_memory_mib(node, slurm.real_memory_margin_percent) is None:
            yield Violation("roles.slurm.compute", f"{name!r} has no memory size (nodes.{name}.ramGb)")
    if slurm.exporter is not None:
        yield from _checksums("batch.slurm.exporter.sha256", slurm.exporter, r.controllers, nodes,
                              "roles.slurm.controllers")
    if slurm.accounting is not None:
        node_name = slurm.accounting.node
        if node_name not in nodes:
            yield Violation("batch.slurm.accounting.node", f"{node_name!r} is not a node in the inventory")
        elif node_name not in (*r.controllers, *r.compute):
            yield Violation("batch.slurm.accounting.node",
                            f"{node_name!r} is not a Slurm node: slurmdbd authenticates with the cluster's munge key, "
                            "which only Slurm nodes hold (use a controller)")


def _distinct_ports(path: str, ports: Mapping[str, int]) -> Iterator[Violation]:
    seen: dict[int, str] = {}
    for key, port in ports.items():
        if port in seen:
            yield Violation(f"{path}.{key}", f"port {port} is already {path}.{seen[port]}")
        seen.setdefault(port, key)


def _checksums(
    path: str, release: ReleaseSpec, names: tuple[str, ...], nodes: Mapping[str, NodeSpec], role: str
) -> Iterator[Violation]:
    for name in names:
        node = nodes.get(name)
        if node is not None and node.architecture not in release.sha256:
            yield Violation(path, f"no checksum for {node.architecture}, the architecture of {name} ({role})")
