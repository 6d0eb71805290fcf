"""Ceph as data: the cluster's fsid (a pure function of the config), ceph.conf, the cephx keyrings' text and the
layer contract's Ceph entries. Keys themselves are Pulumi secrets (storage/ceph/keys.py)."""

import uuid

from components.contributions import Contributions, ListenPort, QuorumCheck
from config.spec import ClusterSpec

MSGR2, MSGR1 = 3300, 6789
CONF = "/etc/ceph/ceph.conf"
ADMIN_KEYRING = "/etc/ceph/ceph.client.admin.keyring"
CLIENT = "kubernetes"  # the Ceph user ceph-csi authenticates as


def fsid(spec: ClusterSpec) -> str:
    """Stable across runs and machines: derived from the cluster id and the base domain, never random."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{spec.storage.ceph.cluster_id}.{spec.domains.base}"))


def mon_addrs(spec: ClusterSpec, name: str) -> str:
    ip = spec.node(name).ip
    return f"[v2:{ip}:{MSGR2}/0,v1:{ip}:{MSGR1}/0]"


def monitors(spec: ClusterSpec) -> list[str]:
    """`ip:6789` per monitor, as ceph-csi's config lists them."""
    return [f"{spec.node(m).ip}:{MSGR1}" for m in spec.storage.ceph.mons]


def ceph_conf(spec: ClusterSpec) -> str:
    ceph = spec.storage.ceph
    size = min(3, len(ceph.osds))
    lines = [
        "# goldentooth: managed by Pulumi (storage/ceph); edits are overwritten",
        "[global]",
        f"fsid = {fsid(spec)}",
        f"mon_initial_members = {', '.join(ceph.mons)}",
        f"mon_host = {' '.join(mon_addrs(spec, m) for m in ceph.mons)}",
        f"public_network = {spec.network.nodes}",
        "auth_cluster_required = cephx",
        "auth_service_required = cephx",
        "auth_client_required = cephx",
        f"osd_pool_default_size = {size}",
        f"osd_pool_default_min_size = {max(1, size - 1)}",
        "mon_allow_pool_delete = false",
    ]
    return "\n".join(lines) + "\n"


def keyring_section(entity: str, key: str, caps: dict[str, str]) -> str:
    lines = [f"[{entity}]", f"\tkey = {key}", *(f'\tcaps {k} = "{v}"' for k, v in sorted(caps.items()))]
    return "\n".join(lines) + "\n"


MON_CAPS = {"mon": "allow *"}
ADMIN_CAPS = {"mds": "allow *", "mgr": "allow *", "mon": "allow *", "osd": "allow *"}


def client_caps(spec: ClusterSpec) -> dict[str, str]:
    pools = ", ".join(f"profile rbd pool={p.name}" for p in spec.storage.ceph.pools)
    return {"mon": "profile rbd", "osd": pools, "mgr": pools}


def ceph_contributions(spec: ClusterSpec) -> Contributions:
    ceph = spec.storage.ceph
    if not ceph.enabled:
        return Contributions()
    ports = tuple(ListenPort(m, port, "tcp", f"ceph-mon{suffix}") for m in ceph.mons
                  for port, suffix in ((MSGR2, ""), (MSGR1, "-v1")))
    quorum = QuorumCheck(
        name="ceph-mon", members=ceph.mons, run_on=ceph.mons[0],
        # Every monitor is in the quorum (a smaller majority still works, but a restart must not shrink it further).
        command=("ceph --connect-timeout 10 quorum_status -f json | python3 -c "
                 f"'import json, sys; sys.exit(len(json.load(sys.stdin)[\"quorum_names\"]) != {len(ceph.mons)})'"),
        present=f"systemctl is-enabled --quiet ceph-mon@{ceph.mons[0]}",
    )
    return Contributions(listen_ports=ports, quorum_checks=(quorum,))
