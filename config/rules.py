"""Cross-field rules. Each looks at the sections that parsed and yields every violation it finds.

Rules run on a `Draft`, so a malformed section does not hide the problems of the others.
"""

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from ipaddress import IPv4Network

from config import meaning
from config.aws import AwsSpec
from config.batch import BatchSpec, batch_violations
from config.cloud_rules import cloud_violations
from config.cloudflare import CloudflareSpec
from config.cluster import SshSpec
from config.domains import DomainsSpec
from config.errors import Violation
from config.hashicorp import HashicorpSpec, hashicorp_violations
from config.kubernetes import KubernetesSpec, kubernetes_violations
from config.lifecycle import LifecycleSpec, lifecycle_violations
from config.network import NetworkSpec
from config.nodes import NodeSpec, OsRelease
from config.observability import ObservabilitySpec, observability_violations
from config.pki import PkiSpec, ca_names, pki_violations
from config.roles import RolesSpec
from config.rollout import RolloutSpec, rollout_violations
from config.spec import ClusterSpec
from config.storage import StorageSpec, storage_violations
from config.versions import VersionsSpec, runtime_violations


@dataclass
class Draft:
    network: NetworkSpec | None = None
    roles: RolesSpec | None = None
    versions: VersionsSpec | None = None
    kubernetes: KubernetesSpec | None = None
    domains: DomainsSpec | None = None
    aws: AwsSpec | None = None
    cloudflare: CloudflareSpec | None = None
    observability: ObservabilitySpec | None = None
    pki: PkiSpec | None = None
    storage: StorageSpec | None = None
    hashicorp: HashicorpSpec | None = None
    ssh: SshSpec | None = None
    batch: BatchSpec | None = None
    lifecycle: LifecycleSpec | None = None
    rollout: RolloutSpec | None = None
    nodes: list[tuple[int, NodeSpec]] = field(default_factory=list)  # (index in config, node) of nodes that parsed
    all_node_names: set[str] = field(default_factory=set)  # names of every node entry, parsed or not
    duplicate_names: set[str] = field(default_factory=set)  # names given to more than one entry

    def take_sections(self, parsed: Mapping[str, object]) -> None:
        """Every section that parsed, for the Draft fields named like a `ClusterSpec` field (nodes come apart)."""
        for f in fields(self):
            spec_field = ClusterSpec.model_fields.get(f.name)
            if spec_field is None or f.name == "nodes":
                continue
            value = parsed.get(f.name)
            setattr(self, f.name, value if isinstance(value, spec_field.annotation) else None)  # type: ignore[arg-type]

    def path(self, index: int, node: NodeSpec) -> str:
        """`nodes.<name>` where the name is unambiguous, else the entry's position."""
        return f"nodes[{index}]" if node.name in self.duplicate_names else f"nodes.{node.name}"


Rule = Callable[[Draft], Iterator[Violation]]


def unique_identities(d: Draft) -> Iterator[Violation]:
    first: dict[str, int] = {}
    for index, node in d.nodes:
        if node.name in first:
            yield Violation(f"nodes[{index}].name", f"name {node.name} is already used by nodes[{first[node.name]}]")
        else:
            first[node.name] = index
    for attr, label in (("ip", "IP"), ("mac", "MAC")):
        seen: dict[object, str] = {}
        for index, node in d.nodes:
            value = getattr(node, attr)
            if value in seen:
                yield Violation(f"{d.path(index, node)}.{attr}", f"{label} {value} is already used by {seen[value]}")
            else:
                seen[value] = d.path(index, node)


def node_addresses(d: Draft) -> Iterator[Violation]:
    net = d.network
    if net is None:
        return
    reserved = {
        net.nodes.network_address: "the network address",
        net.nodes.broadcast_address: "the broadcast address",
        net.gateway: "the gateway",
    }
    for index, node in d.nodes:
        path = f"{d.path(index, node)}.ip"
        if node.ip not in net.nodes:
            yield Violation(path, f"{node.ip} is outside the node network {net.nodes}")
        elif node.ip in reserved:
            yield Violation(path, f"{node.ip} is {reserved[node.ip]} of {net.nodes}")
        if node.ip in net.metallb:
            yield Violation(path, f"{node.ip} lies inside the MetalLB pool {net.metallb}")


def network_layout(d: Draft) -> Iterator[Violation]:
    net = d.network
    if net is None:
        return
    if net.gateway not in net.nodes:
        yield Violation("network.gateway", f"{net.gateway} is outside the node network {net.nodes}")
    elif net.gateway in (net.nodes.network_address, net.nodes.broadcast_address):
        yield Violation("network.gateway", f"{net.gateway} is not a usable host address of {net.nodes}")
    ranges: list[tuple[str, IPv4Network]] = [
        ("network.nodes", net.nodes),
        ("network.services", net.services),
        ("network.pods", net.pods),
    ]
    for i, (a_path, a) in enumerate(ranges):
        for b_path, b in ranges[i + 1 :]:
            if a.overlaps(b):
                yield Violation(b_path, f"{b} overlaps {a_path} {a}")
    if not net.metallb.subnet_of(net.nodes):
        yield Violation("network.metallb", f"pool {net.metallb} is outside the node network {net.nodes}")
    for other_path, other in ranges[1:]:
        if net.metallb.overlaps(other):
            yield Violation("network.metallb", f"pool {net.metallb} overlaps {other_path} {other}")
    if net.gateway in net.metallb:
        yield Violation("network.metallb", f"pool {net.metallb} covers the gateway {net.gateway}")
    if net.on_link is not None and not net.on_link.subnet_of(net.nodes):
        yield Violation("network.onLink", f"{net.on_link} is outside the node network {net.nodes}")


def roles_name_nodes(d: Draft) -> Iterator[Violation]:
    """Names that are not nodes are reported by config.meaning.node_references, with every other reference."""
    if d.roles is None:
        return
    # Names that are not nodes are reported by config/meaning.py (node_references), with the likely cause.
    for path, names in d.roles.member_lists():
        dupes = sorted(n for n, count in Counter(names).items() if count > 1)
        if dupes:
            yield Violation(path, f"lists {', '.join(dupes)} more than once")


def quorums(d: Draft) -> Iterator[Violation]:
    if d.roles is None:
        return
    hours = {node.name: node.host_index for _, node in d.nodes}
    for path, what, members in ((q.path, q.label, q.members) for q in d.roles.quorums()):
        yield from _reboot_hours(path, what, members, hours)
        size = len(set(members))
        if size == 0:
            yield Violation(path, f"the {what} quorum is empty; it needs an odd number of members (1, 3, 5)")
        elif size % 2 == 0:
            yield Violation(
                path,
                f"the {what} quorum has {size} members: it survives no more failures than {size - 1} "
                f"members would, and a split vote can stall it; use an odd number",
            )


def _reboot_hours(path: str, what: str, members: tuple[str, ...], hours: dict[str, int]) -> Iterator[Violation]:
    """hostIndex is the hour unattended-upgrades may reboot a node: two members of one quorum sharing it
    would go down together, and two of three is a lost majority."""
    by_hour: dict[int, list[str]] = {}
    for name in dict.fromkeys(members):
        if name in hours:
            by_hour.setdefault(hours[name], []).append(name)
    for hour, names in sorted(by_hour.items()):
        if len(names) > 1:
            yield Violation(
                path,
                f"{' and '.join(names)} share hostIndex {hour}, so unattended upgrades would reboot them in the "
                f"same hour and the {what} quorum could lose its majority: give each member its own hostIndex",
            )


def role_structure(d: Draft) -> Iterator[Violation]:
    if d.roles is None:
        return
    r = d.roles
    k = r.kubernetes
    for name in sorted(set(k.control_plane) & set(k.workers)):
        yield Violation("roles.kubernetes.workers", f"{name!r} is also a control-plane node")
    for name in sorted(set(k.gpu_workers) - set(k.workers)):
        yield Violation("roles.kubernetes.gpuWorkers", f"{name!r} is not in roles.kubernetes.workers")
    init_node = d.kubernetes.init_node if d.kubernetes is not None else None
    if init_node is not None and init_node not in k.control_plane:
        yield Violation("kubernetes.initNode", f"{init_node!r} is not in roles.kubernetes.controlPlane (kubeadm init runs there)")
    if r.haproxy in k.control_plane:
        yield Violation("roles.haproxy", f"{r.haproxy!r} is a control-plane node; HAProxy and kube-apiserver both bind :6443")
    for name in sorted(set(r.consul.servers) & set(r.consul.clients)):
        yield Violation("roles.consul.clients", f"{name!r} is already a Consul server (an agent is one or the other)")
    for name in sorted(set(r.nomad.gpu_clients) - set(r.nomad.clients)):
        yield Violation("roles.nomad.gpuClients", f"{name!r} is not in roles.nomad.clients")
    if r.ray is not None:
        if r.ray.head in r.ray.workers:
            yield Violation("roles.ray.workers", f"{r.ray.head!r} is the Ray head")
        for name in sorted(set(r.ray.gpu_workers) - set(r.ray.workers)):
            yield Violation("roles.ray.gpuWorkers", f"{name!r} is not in roles.ray.workers")
    seen_exports: set[tuple[str, str]] = set()
    for i, export in enumerate(r.nfs_exports):
        if (export.node, export.path) in seen_exports:
            yield Violation(f"roles.nfsExports[{i}]", f"{export.node}:{export.path} is exported twice")
        seen_exports.add((export.node, export.path))
        if export.clients != "*":
            try:
                IPv4Network(export.clients)
            except ValueError:
                yield Violation(f"roles.nfsExports[{i}].clients", f"{export.clients!r} is neither '*' nor a canonical CIDR")


def gpu_roles(d: Draft) -> Iterator[Violation]:
    if d.roles is None:
        return
    by_name = {node.name: node for _, node in d.nodes}
    r = d.roles
    lists = [("roles.kubernetes.gpuWorkers", r.kubernetes.gpu_workers), ("roles.nomad.gpuClients", r.nomad.gpu_clients),
             ("roles.ollama", r.ollama)]
    if r.ray is not None:
        lists.append(("roles.ray.gpuWorkers", r.ray.gpu_workers))
    for path, names in lists:
        for name in names:
            node = by_name.get(name)
            if node is not None and node.gpu is None:
                yield Violation(path, f"{name!r} has no GPU (nodes.{name}.gpu is not set)")


def model_settings(d: Draft) -> Iterator[Violation]:
    """Settings a node's hardware model cannot carry."""
    for index, node in d.nodes:
        path = d.path(index, node)
        caps = node.caps
        expected_os = OsRelease.RASPIOS_BOOKWORM if caps.is_pi else OsRelease.UBUNTU_2404
        if node.os != expected_os:
            yield Violation(f"{path}.os", f"{node.model} runs {expected_os}, not {node.os}")
        if caps.ram_gb is not None and node.ram_gb is not None and node.ram_gb != caps.ram_gb:
            yield Violation(f"{path}.ramGb", f"a {node.model} has {caps.ram_gb} GB, not {node.ram_gb}")
        if caps.ram_gb is None and node.ram_gb is None:
            yield Violation(f"{path}.ramGb", f"{node.model} has no fixed memory size: state ramGb")
        if node.gpu is not None and caps.is_pi:
            yield Violation(f"{path}.gpu", f"a {node.model} cannot carry a discrete GPU")
        fw = node.firmware
        if fw is None:
            continue
        if not caps.is_pi:
            yield Violation(f"{path}.firmware", f"{node.model} has no Raspberry Pi firmware (config.txt)")
            continue
        if fw.arm_freq is not None and caps.max_arm_freq is not None and fw.arm_freq > caps.max_arm_freq:
            yield Violation(f"{path}.firmware.armFreq",
                            f"{fw.arm_freq} MHz is above the safe maximum of {caps.max_arm_freq} MHz for a {node.model}")
        if fw.over_voltage is not None:
            if caps.max_over_voltage is None:
                yield Violation(f"{path}.firmware.overVoltage", f"a {node.model} has no over_voltage setting")
            elif fw.over_voltage > caps.max_over_voltage:
                yield Violation(f"{path}.firmware.overVoltage",
                                f"{fw.over_voltage} is above the safe maximum of {caps.max_over_voltage} for a {node.model}")
        if (fw.pcie_x1 or fw.pcie_gen is not None) and not caps.has_pcie_connector:
            yield Violation(f"{path}.firmware", f"a {node.model} has no external PCIe connector (pcieX1/pcieGen)")
        if fw.pcie_gen is not None and not fw.pcie_x1:
            yield Violation(f"{path}.firmware.pcieGen", "pcieGen needs pcieX1: true")


def kubernetes_settings(d: Draft) -> Iterator[Violation]:
    """Upgrade path and pinned LoadBalancer addresses (config/kubernetes.py)."""
    if d.kubernetes is not None:
        yield from kubernetes_violations(d.kubernetes, d.versions, d.network.metallb if d.network else None)


def cloud_settings(d: Draft) -> Iterator[Violation]:
    """Node records inside the zone, public apps the tunnel can publish (config/cloud_rules.py)."""
    yield from cloud_violations(d.domains, d.aws, d.cloudflare, d.kubernetes)


def runtime_versions(d: Draft) -> Iterator[Violation]:
    if d.versions is not None:
        upgrading = d.kubernetes is not None and d.kubernetes.upgrade_from is not None
        yield from runtime_violations(d.versions, upgrading=upgrading)


def observability_settings(d: Draft) -> Iterator[Violation]:
    if d.observability is None or d.roles is None:
        return
    by_name = {node.name: node for _, node in d.nodes}
    yield from observability_violations(d.observability, by_name.get(d.roles.prometheus))


def pki_settings(d: Draft) -> Iterator[Violation]:
    """config/pki.py's rules, given the CA node's names."""
    if d.pki is None:
        return
    names: tuple[str, ...] | None = None
    ca_node = d.roles.step_ca if d.roles is not None else None
    by_name = {node.name: node for _, node in d.nodes}
    if ca_node in by_name and d.domains is not None:
        names = ca_names(ca_node, by_name[ca_node].ip, d.domains.base, d.domains.nodes)
    yield from pki_violations(d.pki, names, d.all_node_names)


def storage_settings(d: Draft) -> Iterator[Violation]:
    """Data disks by stable id and claimed once, layers on disks meant for them (config/storage.py)."""
    yield from storage_violations(d.storage, d.roles, [(d.path(i, n), n) for i, n in d.nodes])


def hashicorp_settings(d: Draft) -> Iterator[Violation]:
    """A Consul agent under every Vault and Nomad agent (config/hashicorp.py)."""
    if d.roles is not None:
        yield from hashicorp_violations(d.hashicorp or HashicorpSpec(), d.roles, d.all_node_names)


def rollout_settings(d: Draft) -> Iterator[Violation]:
    if d.rollout is not None:
        yield from rollout_violations(d.rollout, d.roles)


def batch_settings(d: Draft) -> Iterator[Violation]:
    """Slurm, Ray and Ollama settings against their roles and the nodes' hardware (config/batch.py)."""
    yield from batch_violations(d.batch, d.roles, {node.name: node for _, node in d.nodes})


def lifecycle_settings(d: Draft) -> Iterator[Violation]:
    """Rebuild generations name nodes of the inventory (config/lifecycle.py)."""
    if d.lifecycle is not None:
        yield from lifecycle_violations(d.lifecycle, d.all_node_names)


RULES: tuple[Rule, ...] = (
    unique_identities,
    node_addresses,
    network_layout,
    roles_name_nodes,
    quorums,
    role_structure,
    gpu_roles,
    model_settings,
    kubernetes_settings,
    cloud_settings,
    runtime_versions,
    observability_settings,
    pki_settings,
    storage_settings,
    hashicorp_settings,
    *meaning.RULES,
    batch_settings,
    lifecycle_settings,
    rollout_settings,
)


def check(draft: Draft) -> list[Violation]:
    return [v for rule in RULES for v in rule(draft)]

