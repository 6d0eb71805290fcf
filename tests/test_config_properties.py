"""Property tests over generated inventories: every valid one parses and evaluates; a mutation that breaks
one rule is always rejected, with exactly one violation naming the right path.

Inventories have 2..60 nodes of mixed models, with roles consistent with every rule (a single node cannot
be valid: it would have to be both the control plane and HAProxy, and both bind :6443). The sections
that are not inventory (cluster, domains, versions, network, cloud) are the real stack's.
"""

import copy
from ipaddress import IPv4Address, IPv4Network
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from config.errors import ConfigError
from config.hardware import CAPABILITIES, HardwareModel
from config.load import parse_spec
from offline.evaluate import evaluate
from tests.conftest import fake_secret_values

NODE_NET = IPv4Network("10.4.0.0/20")
METALLB = IPv4Network("10.4.11.0/24")
GATEWAY = IPv4Address("10.4.0.1")
QUORUM_SIZES = (1, 3, 5)
# Few examples: CI has two cores, and each example parses up to 60 nodes.
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?", fullmatch=True)
_USABLE = [o for o in range(2, NODE_NET.num_addresses - 1) if NODE_NET[o] not in METALLB]


def _mac(value: int, upper: bool) -> str:
    text = ":".join(f"{(value >> s) & 0xFF:02x}" for s in range(40, -8, -8))
    return text.upper() if upper else text


@st.composite
def _node(draw: st.DrawFn, name: str, ip: IPv4Address, mac: str, hour: int) -> dict[str, Any]:
    model = draw(st.sampled_from(list(HardwareModel)))
    caps = CAPABILITIES[model]
    node: dict[str, Any] = {
        "name": name, "model": model.value, "mac": mac, "ip": str(ip), "hostIndex": hour,
        "os": "raspios-bookworm" if caps.is_pi else "ubuntu-24.04",
    }
    if not caps.is_pi:
        node["ramGb"] = draw(st.integers(1, 512))
        if draw(st.booleans()):
            node["gpu"] = {"vendor": "nvidia", "model": "GeForce RTX 2070 Super"}
        return node
    if draw(st.booleans()):
        node["ramGb"] = caps.ram_gb
    if draw(st.booleans()):
        assert caps.stock_arm_freq is not None and caps.max_arm_freq is not None
        firmware: dict[str, Any] = {"armFreq": draw(st.integers(caps.stock_arm_freq, caps.max_arm_freq))}
        if caps.max_over_voltage is not None:
            firmware["overVoltage"] = draw(st.integers(-16, caps.max_over_voltage))
        if not caps.has_fan_connector and draw(st.booleans()):
            firmware["fan"] = {"gpioPin": draw(st.integers(0, 27)), "tempMillicelsius": draw(st.integers(30_000, 85_000))}
        if caps.has_pcie_connector and draw(st.booleans()):
            firmware["pcieX1"] = True
            firmware["pcieGen"] = draw(st.sampled_from([2, 3]))
        node["firmware"] = firmware
    return node


def _subset(draw: st.DrawFn, pool: list[str], min_size: int = 0, max_size: int | None = None) -> list[str]:
    if not pool:
        return []
    return draw(st.lists(st.sampled_from(pool), unique=True, min_size=min_size, max_size=max_size or len(pool)))


def _quorum(draw: st.DrawFn, pool: list[str]) -> list[str]:
    size = draw(st.sampled_from([s for s in QUORUM_SIZES if s <= len(pool)]))
    return draw(st.lists(st.sampled_from(pool), unique=True, min_size=size, max_size=size))


@st.composite
def inventories(draw: st.DrawFn, base: dict[str, Any], max_nodes: int = 60) -> dict[str, Any]:
    """A valid plain config (keys without the namespace): the real stack with a generated inventory."""
    n = draw(st.integers(2, max_nodes))
    names = draw(st.lists(_NAMES, unique=True, min_size=n, max_size=n))
    offsets = draw(st.lists(st.sampled_from(_USABLE), unique=True, min_size=n, max_size=n))
    macs = draw(st.lists(st.integers(0, 2**48 - 1), unique=True, min_size=n, max_size=n))
    # Quorum members need distinct reboot hours: hours cycle through a permutation, and quorums are drawn
    # from the first 24 nodes, whose hours are therefore all different.
    hours = draw(st.permutations(range(24)))
    nodes = [
        draw(_node(name, NODE_NET[offset], _mac(mac, draw(st.booleans())), hours[i % 24]))
        for i, (name, offset, mac) in enumerate(zip(names, offsets, macs, strict=True))
    ]
    gpu = [node["name"] for node in nodes if "gpu" in node]
    distinct_hours = names[:24]

    control_plane = _quorum(draw, distinct_hours[:-1] if len(distinct_hours) > 1 else distinct_hours)
    others = [nm for nm in names if nm not in control_plane]
    assume(others)  # HAProxy and kube-apiserver both bind :6443: HAProxy needs a node of its own
    haproxy = draw(st.sampled_from(others))
    workers = _subset(draw, others)
    consul_servers = _quorum(draw, distinct_hours)
    nomad_clients = _subset(draw, names)
    nomad_gpu = [nm for nm in nomad_clients if nm in gpu]
    ray_head = draw(st.sampled_from(names))
    ray_workers = _subset(draw, [nm for nm in names if nm != ray_head])
    roles: dict[str, Any] = {
        "kubernetes": {
            "controlPlane": control_plane, "workers": workers,
            "gpuWorkers": [nm for nm in workers if nm in gpu],
        },
        # A Consul agent on every node, as on the real cluster: Vault and Nomad reach their cluster through it.
        "consul": {"servers": consul_servers, "clients": [nm for nm in names if nm not in consul_servers]},
        "vault": {"servers": _quorum(draw, distinct_hours)},
        "nomad": {"servers": _quorum(draw, distinct_hours), "clients": nomad_clients, "gpuClients": nomad_gpu},
        "stepCa": draw(st.sampled_from(names)),
        "authelia": draw(st.sampled_from(names)),
        "haproxy": haproxy,
        "prometheus": draw(st.sampled_from(names)),
        "grafana": draw(st.sampled_from(names)),
        "loki": draw(st.sampled_from(names)),
        "nfsExports": [
            {"node": nm, "path": "/srv/export", "clients": draw(st.sampled_from(["*", str(NODE_NET)]))}
            for nm in _subset(draw, names, max_size=3)
        ],
        "zfs": _subset(draw, names),
        "slurm": {"controllers": _subset(draw, names, 1, 3), "compute": _subset(draw, names, 1)},
        "ray": {"head": ray_head, "workers": ray_workers, "gpuWorkers": [nm for nm in ray_workers if nm in gpu]},
        "ollama": _subset(draw, gpu),
    }
    if draw(st.booleans()):
        roles["seaweedfs"] = {"masters": _quorum(draw, distinct_hours), "volumes": _subset(draw, names, 1)}
    # Storage layers use the disks meant for them (config/storage.py): one data disk per ZFS node and volume server.
    by_name = {node["name"]: node for node in nodes}
    layers = [("zfs", roles["zfs"]), ("seaweedfs", roles.get("seaweedfs", {}).get("volumes", []))]
    for purpose, members in layers:
        for member in members:
            by_name[member].setdefault("disks", []).append(
                {"device": f"/dev/disk/by-id/gen-{member}-{purpose}", "sizeGb": 500, "kind": "ssd", "purpose": purpose})
    plain = copy.deepcopy(base)
    plain["nodes"] = nodes
    plain["roles"] = roles
    if "seaweedfs" not in roles:  # the real stack's StorageClass is SeaweedFS's
        plain["storage"] = {**plain.get("storage", {}), "storageClasses": [], "defaultStorageClass": None}
    if plain.get("batch", {}).get("slurm") is not None:
        # Boards have a known core count; an x86 compute node needs it stated (config/batch.py).
        x86 = {node["name"] for node in nodes if node["model"] == "x86-64"}
        plain["batch"]["slurm"]["cpus"] = {nm: 8 for nm in roles["slurm"]["compute"] if nm in x86}
    return plain


def _violations(plain: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_spec(plain)
    return [str(v) for v in raised.value.violations]


@pytest.fixture(scope="module")
def base(real_plain: dict[str, Any]) -> dict[str, Any]:
    return real_plain


def test_generated_valid_inventories_parse(base: dict[str, Any]) -> None:
    @FAST
    @given(inventories(base))
    def check(plain: dict[str, Any]) -> None:
        spec = parse_spec(plain)
        # the nodes as written, in name order (config/canonical.py: the list's order means nothing)
        assert [n.name for n in spec.nodes] == sorted(n["name"] for n in plain["nodes"])
        assert len({n.mac for n in spec.nodes}) == len(spec.nodes)

    check()


def test_generated_valid_inventories_evaluate_to_one_node_component_per_host(base: dict[str, Any]) -> None:
    @SLOW
    @given(inventories(base, max_nodes=24))
    def check(plain: dict[str, Any]) -> None:
        ev = evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"})
        nodes = sorted(r.name for r in ev.resources if r.type == "goldentooth:nodes:Node")
        assert nodes == sorted(n["name"] for n in plain["nodes"])

    check()


def test_a_duplicate_ip_is_rejected_at_the_later_node(base: dict[str, Any]) -> None:
    @FAST
    @given(inventories(base), st.data())
    def check(plain: dict[str, Any], data: st.DataObject) -> None:
        n = len(plain["nodes"])
        first = data.draw(st.integers(0, n - 2))
        later = data.draw(st.integers(first + 1, n - 1))
        original, copy_ = plain["nodes"][first], plain["nodes"][later]
        copy_["ip"] = original["ip"]
        assert _violations(plain) == [
            f"nodes.{copy_['name']}.ip: IP {original['ip']} is already used by nodes.{original['name']}"
        ]

    check()


def test_an_ip_outside_the_node_network_is_rejected(base: dict[str, Any]) -> None:
    outside = st.integers(0, 2**32 - 1).map(IPv4Address).filter(lambda ip: ip not in NODE_NET)

    @FAST
    @given(inventories(base), st.data(), outside)
    def check(plain: dict[str, Any], data: st.DataObject, ip: IPv4Address) -> None:
        node = data.draw(st.sampled_from(plain["nodes"]))
        node["ip"] = str(ip)
        assert _violations(plain) == [f"nodes.{node['name']}.ip: {ip} is outside the node network {NODE_NET}"]

    check()


QUORUMS = {
    "roles.kubernetes.controlPlane": ("kubernetes", "controlPlane", "etcd"),
    "roles.consul.servers": ("consul", "servers", "Consul raft"),
    "roles.vault.servers": ("vault", "servers", "Vault raft"),
    "roles.nomad.servers": ("nomad", "servers", "Nomad raft"),
    "roles.seaweedfs.masters": ("seaweedfs", "masters", "SeaweedFS master raft"),
}


def _can_join(plain: dict[str, Any], path: str, name: str) -> bool:
    """Whether adding `name` to a quorum breaks nothing but its size."""
    roles = plain["roles"]
    hours = {n["name"]: n["hostIndex"] for n in plain["nodes"]}
    section, key, _ = QUORUMS[path]
    members = roles[section][key]
    if name in members or hours[name] in {hours[m] for m in members}:
        return False
    if path == "roles.kubernetes.controlPlane":
        return name not in roles["kubernetes"]["workers"] and name != roles["haproxy"]
    if path == "roles.consul.servers":
        return name not in roles["consul"]["clients"]
    return True


def test_an_even_quorum_is_rejected_at_its_path(base: dict[str, Any]) -> None:
    @FAST
    @given(inventories(base), st.data())
    def check(plain: dict[str, Any], data: st.DataObject) -> None:
        path = data.draw(st.sampled_from([p for p, (s, _, _) in QUORUMS.items() if s in plain["roles"]]))
        section, key, what = QUORUMS[path]
        members: list[str] = plain["roles"][section][key]
        if len(members) >= 3:
            leaving = data.draw(st.sampled_from(members))
            members.remove(leaving)
            if path == "roles.consul.servers":
                # A server that leaves the raft stays a Consul agent: Vault and Nomad on it join through Consul.
                plain["roles"]["consul"]["clients"].append(leaving)
        else:
            candidates = [n["name"] for n in plain["nodes"] if _can_join(plain, path, n["name"])]
            assume(candidates)
            members.append(data.draw(st.sampled_from(candidates)))
        size = len(members)
        assert _violations(plain) == [
            f"{path}: the {what} quorum has {size} members: it survives no more failures than {size - 1} members "
            f"would, and a split vote can stall it; use an odd number"
        ]

    check()
