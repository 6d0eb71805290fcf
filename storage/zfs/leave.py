"""ZFS's leave steps (lifecycle/): a node leaving `roles.zfs` is dropped as a replication peer; its pool is kept.

- a replica: the primary stops sending to it (its syncoid timer and service stopped and removed, its
  replication-lag metric and known-hosts entry dropped), then the replica forgets the primary's replication key
  (its authorized_keys line);
- the primary (the first by name): it stops sending to every replica and drops its copy of the replication key;
  the next node by name becomes the primary in the same `up` (storage/zfs/component.py);
- a rebuilt replica (no leave: `forget_on_rebuild`): the primary forgets its old host key before the new
  incarnation's steps run (lifecycle/forget.py).

Nothing here touches a pool or a dataset: the pool steps are protected and retained (their deletion runs nothing),
and these scripts never call `zpool` or `zfs`.
"""

from components.contributions import LeaveStep
from config.spec import ClusterSpec
from storage.zfs.component import KEY_MARKER
from storage.zfs.units import KEY_PATH, KNOWN_HOSTS

ORDER = 60
STOP_SENDING = "storage/zfs/leave_peer.sh"
UNAUTHORIZE = "storage/zfs/leave_authorization.sh"
FORGET_HOST_KEY = "storage/zfs/forget_host_key.sh"


def metric_files(spec: ClusterSpec, peer: str) -> list[str]:
    """The files storage/zfs/replication_metric.bash writes for `peer`, one per dataset."""
    zfs = spec.storage.zfs
    return [f"{zfs.textfile_dir}/zfs-replication-{peer}-{zfs.pool}_{d.name.replace('/', '_')}.prom"
            for d in sorted(zfs.datasets, key=lambda d: d.name)]


def _stop_sending(spec: ClusterSpec, node: str, primary: str, peers: tuple[str, ...], key: str) -> LeaveStep:
    return LeaveStep("zfs", node, primary, STOP_SENDING, (
        ("GT_PEERS", " ".join(peers)),
        ("GT_ADDRESSES", " ".join(str(spec.node(p).ip) for p in peers)),
        ("GT_METRIC_FILES", "\n".join(f for p in peers for f in metric_files(spec, p))),
        ("GT_KNOWN_HOSTS", KNOWN_HOSTS), ("GT_KEY_PATH", key), ("GT_TIMEOUT", "3600"),
    ), order=ORDER)


def leave_steps(spec: ClusterSpec) -> tuple[LeaveStep, ...]:
    members = spec.roles.zfs
    if len(members) < 2:
        return ()  # no replication to stop
    primary, replicas = members[0], members[1:]
    steps = [_stop_sending(spec, primary, primary, replicas, KEY_PATH)]
    for replica in replicas:
        steps.append(_stop_sending(spec, replica, primary, (replica,), ""))
        steps.append(LeaveStep("zfs", replica, replica, UNAUTHORIZE, (("GT_MARKER", KEY_MARKER),), order=ORDER + 1))
        # A rebuilt replica answers with a new host key, which the primary's syncoid (accept-new) would refuse as
        # changed: the primary forgets the old one first. No leave: a replica that leaves is forgotten above.
        steps.append(LeaveStep("zfs", replica, primary, FORGET_HOST_KEY, (
            ("GT_ADDRESS", str(spec.node(replica).ip)), ("GT_KNOWN_HOSTS", KNOWN_HOSTS),
        ), order=ORDER + 2, forget_on_rebuild=True, on_leave=False))
    return tuple(steps)
