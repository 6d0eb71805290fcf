"""What the storage layer asks of the concerns other layers own, from the spec alone: alert rules on ZFS
replication lag (the metric rides the node exporter's textfile collector, which the observability layer scrapes
on every node), SeaweedFS scrape targets, Consul services, listening ports and quorum checks, Ceph's when it
is on, SeaweedFS's certificates only when SeaweedFS is configured to use them, and the leave steps of SeaweedFS's
servers and of ZFS replication peers (storage/seaweedfs/leave.py, storage/zfs/leave.py)."""

from components.contributions import (
    AlertRule,
    AlertRuleGroup,
    ConsulService,
    Contributions,
    ListenPort,
    QuorumCheck,
    ScrapeTarget,
)
from config.spec import ClusterSpec
from storage.ceph.plan import ceph_contributions
from storage.seaweedfs.leave import leave_steps as seaweedfs_leave_steps
from storage.seaweedfs.plan import certificate_requests, seaweedfs_ports
from storage.zfs.leave import leave_steps as zfs_leave_steps
from storage.zfs.units import METRIC


def contributions(spec: ClusterSpec) -> Contributions:
    return _zfs(spec) + _seaweedfs(spec) + ceph_contributions(spec)


def _zfs(spec: ClusterSpec) -> Contributions:
    members = spec.roles.zfs
    if len(members) < 2:
        return Contributions()
    zfs = spec.storage.zfs
    # Three missed runs: one slow or failed run is not worth a page, three in a row are.
    late = 3 * zfs.replication_interval_minutes * 60
    rules = [
        AlertRule(
            alert="ZfsReplicationLagging",
            expr=f"time() - {METRIC} > {late}",
            for_="5m",
            summary="ZFS replication of {{ $labels.dataset }} to {{ $labels.peer }} is behind",
            description=f"syncoid has not completed for more than {late // 60} minutes "
            f"(it runs every {zfs.replication_interval_minutes}).",
        ),
        # One rule for every (replica, dataset): absent() labels its answer with the pair that never succeeded.
        AlertRule(
            alert="ZfsReplicationNeverSucceeded",
            expr=" or ".join(f'absent({METRIC}{{peer="{peer}",dataset="{zfs.pool}/{d.name}"}})'
                             for peer in members[1:] for d in sorted(zfs.datasets, key=lambda d: d.name)),
            for_="1h",
            summary="ZFS replication of {{ $labels.dataset }} to {{ $labels.peer }} has never succeeded",
            description=f"No success of the syncoid service for that replica has been recorded on {members[0]}.",
        ),
    ]
    return Contributions(alert_rules=(AlertRuleGroup("zfs-replication", tuple(rules)),), leave_steps=zfs_leave_steps(spec))


def _seaweedfs(spec: ClusterSpec) -> Contributions:
    roles, sw = spec.roles.seaweedfs, spec.storage.seaweedfs
    if roles is None:
        return Contributions()
    ip = {n.name: str(n.ip) for n in spec.nodes}
    scheme: str = "https" if sw.tls else "http"
    checks = {"master": "/cluster/status", "volume": "/status", "filer": None}
    members = {"master": roles.masters, "volume": roles.volumes, "filer": roles.filers}
    ports = seaweedfs_ports(sw)
    targets = tuple(
        ScrapeTarget(f"seaweedfs-{kind}", tuple((n, f"{ip[n]}:{ports[kind].metrics}") for n in sorted(members[kind])))
        for kind in ("master", "volume", "filer")
        if members[kind]
    )
    services = tuple(
        ConsulService(
            node=n, name=f"seaweedfs-{kind}", port=ports[kind].http, tags=("storage", "seaweedfs", kind),
            check_http=f"{scheme}://{ip[n]}:{ports[kind].http}{checks[kind]}" if checks[kind] else None,
            check_tcp=None if checks[kind] else f"{ip[n]}:{ports[kind].http}",
        )
        for kind in ("master", "volume", "filer")
        for n in sorted(members[kind])
    )
    listen = tuple(
        ListenPort(n, port, "tcp", f"seaweedfs-{kind}{suffix}")
        for kind in ("master", "volume", "filer")
        for n in sorted(members[kind])
        for port, suffix in ((ports[kind].http, ""), (ports[kind].grpc, "-grpc"), (ports[kind].metrics, "-metrics"))
    )
    first = roles.masters[0]
    quorum = QuorumCheck(
        name="seaweedfs-master",
        members=roles.masters,
        run_on=first,
        # Raft has a leader and every master answers: the quorum can lose a member.
        command=" && ".join(
            f"curl -fsS --max-time 5 {scheme}://{ip[m]}:{ports['master'].http}/cluster/status "
            f"| grep -q '\"Leader\":\"[^\"]'" for m in roles.masters
        ),
        present="systemctl is-enabled --quiet seaweedfs-master",  # a first converge reboots before installing it
    )
    alerts = AlertRuleGroup("seaweedfs", tuple(
        AlertRule(alert=f"Seaweedfs{kind.capitalize()}Down", expr=f'up{{job="seaweedfs-{kind}"}} == 0', for_="5m",
                  severity="critical" if kind == "master" else "warning",
                  summary=f"SeaweedFS {kind} on {{{{ $labels.node }}}} is down")
        for kind in ("master", "volume", "filer") if members[kind]
    ))
    return Contributions(scrape_targets=targets, consul_services=services, listen_ports=listen,
                         quorum_checks=(quorum,), alert_rules=(alerts,), certificates=certificate_requests(spec),
                         leave_steps=seaweedfs_leave_steps(spec))
