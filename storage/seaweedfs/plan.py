"""SeaweedFS as data: ports, the units of each node's servers, and the certificates they use when TLS is on.

Every volume server and filer is given every master (the predecessor pointed volume servers at one); masters
name each other by address and bind their own, so the peer list and the advertised addresses agree.
"""

import shlex
from dataclasses import dataclass

from components.contributions import CertificateRequest
from components.systemd_unit import Unit
from config.nodes import NodeSpec
from config.spec import ClusterSpec
from config.storage import SeaweedfsSpec

WEED = "/usr/local/bin/weed"
CONFIG_DIR = "/etc/seaweedfs"
TLS_DIR = "/etc/seaweedfs/tls"
LOG_DIR = "/var/log/seaweedfs"
STATE_DIR = "/var/lib/seaweedfs"  # masters and filers without a data disk keep their state here
KINDS = ("master", "volume", "filer")
_METRICS_OFFSET = {"master": 9324, "volume": 9325, "filer": 9326}


@dataclass(frozen=True)
class Ports:
    http: int
    grpc: int
    metrics: int


def seaweedfs_ports(sw: SeaweedfsSpec) -> dict[str, Ports]:
    """SeaweedFS derives each gRPC port as HTTP + 10000; metrics get their own ports (SeaweedFS's usual ones)."""
    http = {"master": sw.master_port, "volume": sw.volume_port, "filer": sw.filer_port}
    return {k: Ports(http[k], http[k] + 10000, _METRICS_OFFSET[k]) for k in KINDS}


def roles_of(spec: ClusterSpec, node: str) -> tuple[str, ...]:
    roles = spec.roles.seaweedfs
    if roles is None:
        return ()
    members = {"master": roles.masters, "volume": roles.volumes, "filer": roles.filers}
    return tuple(k for k in KINDS if node in members[k])


def seaweedfs_nodes(spec: ClusterSpec) -> tuple[str, ...]:
    """Every node running any SeaweedFS server, in inventory order (the order they are changed in, one by one)."""
    return tuple(n.name for n in spec.nodes if roles_of(spec, n.name))


def data_device(node: NodeSpec) -> str | None:
    return next((d.device for d in node.disks if d.purpose == "seaweedfs"), None)


def state_root(spec: ClusterSpec, node: NodeSpec) -> str:
    """Where this node's SeaweedFS state lives: the data disk's mount when it has one."""
    return spec.storage.seaweedfs.mount_path if data_device(node) is not None else STATE_DIR


def master_list(spec: ClusterSpec) -> str:
    roles = spec.roles.seaweedfs
    assert roles is not None
    port = spec.storage.seaweedfs.master_port
    return ",".join(f"{spec.node(m).ip}:{port}" for m in roles.masters)


def server_argv(spec: ClusterSpec, node: NodeSpec, kind: str) -> list[str]:
    sw = spec.storage.seaweedfs
    ports = seaweedfs_ports(sw)[kind]
    root = state_root(spec, node)
    common = [f"-ip={node.ip}", f"-ip.bind={node.ip}", f"-port={ports.http}", f"-metricsPort={ports.metrics}"]
    if kind == "master":
        # Hashicorp raft, as the existing masters keep their state: switching implementations would orphan it.
        return [WEED, "master", *common, f"-mdir={root}/master", f"-peers={master_list(spec)}", "-raftHashicorp=true",
                f"-defaultReplication={sw.default_replication}", f"-volumeSizeLimitMB={sw.volume_size_limit_mb}"]
    if kind == "volume":
        return [WEED, "volume", *common, f"-dir={root}/data", f"-dir.idx={root}/index", f"-max={sw.max_volumes}",
                f"-mserver={master_list(spec)}"]
    return [WEED, "filer", *common, f"-master={master_list(spec)}", f"-defaultStoreDir={root}/filer"]


def server_unit(spec: ClusterSpec, node: NodeSpec, kind: str) -> Unit:
    root = state_root(spec, node)
    writable = " ".join(sorted({root, LOG_DIR, *((TLS_DIR,) if spec.storage.seaweedfs.tls else ())}))
    # A server on the data disk must not start on the empty mount point when the disk is missing.
    on_disk = [f"RequiresMountsFor={root}"] if root != STATE_DIR else []
    unit = "\n".join([
        "[Unit]",
        f"Description=SeaweedFS {kind}",
        "Documentation=https://github.com/seaweedfs/seaweedfs/wiki",
        "After=network-online.target",
        "Wants=network-online.target",
        *on_disk,
        "",
        "[Service]",
        "Type=simple",
        "User=seaweedfs",
        "Group=seaweedfs",
        f"WorkingDirectory={CONFIG_DIR}",
        f"ExecStart={shlex.join(server_argv(spec, node, kind))}",
        "Restart=always",
        "RestartSec=5s",
        f"SyslogIdentifier=seaweedfs-{kind}",
        "NoNewPrivileges=true",
        "PrivateTmp=true",
        "ProtectSystem=strict",
        "ProtectHome=true",
        f"ReadWritePaths={writable}",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ])
    return Unit(f"seaweedfs-{kind}.service", unit + "\n", enable=True, start=True)





def certificate_requests(spec: ClusterSpec) -> tuple[CertificateRequest, ...]:
    """One certificate per SeaweedFS node, only when TLS is on (security.toml then points every server at it)."""
    sw = spec.storage.seaweedfs
    if not sw.tls:
        return ()
    service = f"seaweedfs.storage.{spec.domains.base}"
    return tuple(
        CertificateRequest(
            id="seaweedfs", node=name, common_name=f"{name}.{service}",
            dns_names=(name, f"{name}.{service}", service, "localhost"),
            ip_addresses=(spec.node(name).ip,),
            cert_path=f"{TLS_DIR}/seaweedfs.crt", key_path=f"{TLS_DIR}/seaweedfs.key",
            owner="seaweedfs", group="seaweedfs", mode="0600",
            reload="; ".join(f"if systemctl is-active --quiet seaweedfs-{k}.service; then "
                             f"systemctl restart seaweedfs-{k}.service; fi" for k in roles_of(spec, name)),
        )
        for name in seaweedfs_nodes(spec)
    )


ROOT_CA = "/etc/ssl/certs/goldentooth.pem"


def security_toml(spec: ClusterSpec) -> str:
    """SeaweedFS's security.toml: mutual TLS on every gRPC link with the node's certificate, or nothing at all."""
    header = "# goldentooth: managed by Pulumi (storage/seaweedfs); edits are overwritten\n"
    if not spec.storage.seaweedfs.tls:
        return header
    cert, key = f"{TLS_DIR}/seaweedfs.crt", f"{TLS_DIR}/seaweedfs.key"
    sections = [f'[grpc]\nca = "{ROOT_CA}"\n']
    sections += [f'[grpc.{k}]\ncert = "{cert}"\nkey = "{key}"\n' for k in (*KINDS, "client")]
    return header + "\n".join(sections)
