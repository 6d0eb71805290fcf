"""The primary's syncoid units: one service and one timer per replica. The service pushes every dataset over SSH
with the replication key and records each success for the node exporter; the timer does not `Require=` the
service, so enabling it does not start a replication on the spot."""

import shlex

from components.systemd_unit import Unit
from config.storage import ZfsSpec

KEY_PATH = "/root/.ssh/goldentooth-zfs-replication"
KNOWN_HOSTS = "/var/lib/goldentooth/zfs/known_hosts"
METRIC_PATH = "/usr/local/lib/goldentooth/zfs-replication-metric"
SYNCOID = "/usr/sbin/syncoid"
METRIC = "goldentooth_zfs_replication_last_success_timestamp_seconds"


def syncoid_command(zfs: ZfsSpec, dataset: str, peer: str, address: str) -> list[str]:
    """The argv of one replication: pool/dataset on this node to the same name on the replica `peer` at `address`.

    `--identifier` puts the replica in syncoid's own sync snapshot name: without it, two replicas' timers firing in
    the same second both try to create `<dataset>@syncoid_<host>_<time>`, and the second fails."""
    name = f"{zfs.pool}/{dataset}"
    return [
        SYNCOID, "--no-privilege-elevation", "--recursive", f"--identifier={peer}", f"--sshkey={KEY_PATH}",
        "--sshoption=StrictHostKeyChecking=accept-new", f"--sshoption=UserKnownHostsFile={KNOWN_HOSTS}",
        "--sshoption=IdentitiesOnly=yes", name, f"root@{address}:{name}",
    ]


def replication_units(zfs: ZfsSpec, peer: str, address: str) -> tuple[Unit, Unit]:
    datasets = sorted(d.name for d in zfs.datasets)
    starts = "\n".join(f"ExecStart={shlex.join(syncoid_command(zfs, d, peer, address))}" for d in datasets)
    posts = "\n".join(
        f"ExecStartPost={shlex.join([METRIC_PATH, zfs.textfile_dir, peer, f'{zfs.pool}/{d}'])}" for d in datasets
    )
    service = Unit(
        f"syncoid-{peer}.service",
        f"""[Unit]
Description=Replicate ZFS datasets to {peer} (syncoid)
Documentation=man:syncoid(8)
After=network-online.target zfs-import.target zfs-mount.service
Wants=network-online.target

[Service]
Type=oneshot
{starts}
{posts}
""",
    )
    timer = Unit(
        f"syncoid-{peer}.timer",
        f"""[Unit]
Description=Replicate ZFS datasets to {peer} every {zfs.replication_interval_minutes} minutes

[Timer]
OnCalendar=*:0/{zfs.replication_interval_minutes}
RandomizedDelaySec=60
Persistent=true
Unit=syncoid-{peer}.service

[Install]
WantedBy=timers.target
""",
        enable=True,
        start=True,
    )
    return service, timer
