"""NFS: each exporting node's exports, and on every node one mount + automount unit pair per share.

Fixes over the Ansible era: a share's own server no longer NFS-mounts itself (velaryon mounted
10.4.0.30:/mnt/gpu-storage on top of the very directory it exports); it gets a bind mount when the share's
mount point differs from the exported path, and nothing when they are the same. `bg` and `intr` are gone from
the options: `intr` has been a no-op since Linux 2.6.25, and `bg` makes mount.nfs return before the share is
mounted, which systemd then takes for a finished mount. The mount units want network-online.target instead of
merely being ordered after it.
"""

from dataclasses import dataclass

import pulumi
from pulumi_command import remote

from components import artifacts
from components.script import Script
from components.systemd_unit import Unit, escape_path, record_units, unit_params
from config.roles import NfsExport
from config.spec import ClusterSpec
from nodes.os.context import StepContext, after

EXPORTS_FILE = "/etc/exports.d/goldentooth.exports"
CLIENT_OPTIONS = "soft,timeo=30,retrans=2,_netdev"
IDLE_UNMOUNT_SECONDS = 300

_SERVER = Script.beside(__file__, "nfs_server.sh")
_MOUNTS = Script.beside(__file__, "nfs_mounts.sh")


@dataclass(frozen=True)
class Share:
    server: str  # node name
    server_ip: str
    path: str  # exported directory on the server
    mount_at: str  # where every node sees it


def shares(cluster: ClusterSpec) -> list[Share]:
    return [
        Share(e.node, str(cluster.node(e.node).ip), e.path, e.mount_at or e.path) for e in cluster.roles.nfs_exports
    ]


def exports_of(cluster: ClusterSpec, node: str) -> list[NfsExport]:
    return [e for e in cluster.roles.nfs_exports if e.node == node]


def exports_conf(exports: list[NfsExport]) -> str:
    return "# goldentooth (managed)\n" + "".join(f"{e.path} {e.clients}({e.options})\n" for e in exports)


def share_units(share: Share, node: str) -> list[Unit]:
    """The mount and automount for one share on `node`; none when `node` exports it at the same path."""
    local = share.server == node
    if local and share.mount_at == share.path:
        return []
    base = escape_path(share.mount_at)
    if local:
        what, kind, options, description = share.path, "none", "bind", f"bind mount of {share.path}"
        wants = ""
    else:
        what, kind, options = f"{share.server_ip}:{share.path}", "nfs", CLIENT_OPTIONS
        description = f"NFS share {what}"
        wants = "Wants=network-online.target\nAfter=network-online.target\n"
    mount = (
        f"[Unit]\nDescription={description} at {share.mount_at} (goldentooth)\n{wants}\n"
        f"[Mount]\nWhat={what}\nWhere={share.mount_at}\nType={kind}\nOptions={options}\nTimeoutSec=30\n"
    )
    automount = (
        f"[Unit]\nDescription=Automount {share.mount_at} (goldentooth)\n{wants}"
        f"Before={'remote-fs.target' if not local else 'local-fs.target'}\n\n"
        f"[Automount]\nWhere={share.mount_at}\nTimeoutIdleSec={IDLE_UNMOUNT_SECONDS}\nDirectoryMode=0755\n\n"
        f"[Install]\nWantedBy={'remote-fs.target' if not local else 'local-fs.target'}\n"
    )
    return [Unit(f"{base}.mount", mount), Unit(f"{base}.automount", automount, enable=True, start=True)]


def nfs_server_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command | None:
    exports = exports_of(ctx.cluster, ctx.name)
    if not exports:
        return None
    conf = exports_conf(exports)
    artifacts.record(ctx.name, EXPORTS_FILE, conf)
    params = {
        "GT_EXPORT_DIRS": " ".join(sorted({e.path for e in exports})),
        "GT_EXPORTS_FILE": EXPORTS_FILE,
        "GT_EXPORTS": conf,
    }
    return ctx.runner.run("nfs-server", _SERVER, params, options=after(*deps))


def nfs_mounts_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command | None:
    units = [u for share in shares(ctx.cluster) for u in share_units(share, ctx.name)]
    if not units:
        return None
    record_units(ctx.name, units)
    return ctx.runner.run("nfs-mounts", _MOUNTS, unit_params(units), options=after(*deps))
