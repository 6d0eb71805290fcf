"""The layer contract's shared vocabulary: what a layer asks of concerns that other layers own.

A layer never knows another layer's ports or files. It returns a `Contributions` value, computed from the
validated spec alone (so every owner can see all of it before anything is registered), and the owner of each
concern builds from the merged contributions of every layer:

| concern            | owner          | what a layer contributes                                   |
|--------------------|----------------|------------------------------------------------------------|
| DNS records        | aws            | `DnsRecord` (a record set in the adopted zone)             |
| HTTP(S) routes     | edge (HAProxy) | `HttpRoute` (a hostname and the servers behind it)         |
| TCP routes         | edge (HAProxy) | `TcpRoute` (a port on the load balancer and its servers)   |
| scrape targets     | observability  | `ScrapeTarget` (a job and the endpoints Prometheus scrapes) |
| alert rules        | observability  | `AlertRuleGroup` (a Prometheus rule group, as data)        |
| certificates       | pki            | `CertificateRequest` (a leaf certificate on one node)      |
| Consul services    | hashicorp      | `ConsulService` (a service registered on one node's agent) |
| listening ports    | nodes          | `ListenPort` (what a node listens on, for the firewall/docs) |
| quorum health      | nodes          | `QuorumCheck` (a command that says a quorum is healthy)    |
| leaving a node     | lifecycle      | `LeaveStep` (what runs before a node leaves a membership)  |

Everything here is frozen plain data with stable ordering, so a contribution is a pure function of the config.
Resources that a consumer needs back from an owner (an issued certificate's step, to depend on) flow through
the arguments `cluster/` passes to the consumer, never through this module.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from ipaddress import IPv4Address
from typing import Literal

RecordType = Literal["A", "AAAA", "CNAME", "TXT"]


@dataclass(frozen=True)
class DnsRecord:
    """One record set in the adopted zone. `name` is a fully qualified name inside the zone."""

    name: str
    type: RecordType
    values: tuple[str, ...]
    ttl: int

    @property
    def key(self) -> str:
        """Stable resource name: one record set per (name, type), as Route53 itself keys them."""
        return f"{self.name}-{self.type}"


@dataclass(frozen=True)
class Backend:
    """One server behind a route: a name for HAProxy's `server` line, an address and a port."""

    name: str
    address: str
    port: int


@dataclass(frozen=True)
class HttpRoute:
    """A hostname HAProxy serves on :80/:443 and the servers behind it.

    `tls` means the backend itself speaks TLS (HAProxy re-encrypts); `check_path` None checks only the TCP
    connect (for backends that demand client certificates). `default` marks the route that serves a Host no
    route names (at most one route may set it)."""

    name: str
    hostname: str
    servers: tuple[Backend, ...]
    tls: bool = False
    check_path: str | None = "/"
    check_host: str | None = None
    rewrite_host: str | None = None
    default: bool = False


@dataclass(frozen=True)
class TcpRoute:
    """A TCP port on the load balancer passed through to `servers` (the Kubernetes API, for example).

    `check` "https-healthz" is an HTTPS GET of `/readyz` (readable anonymously on the Kubernetes API); "tcp"
    only connects. `idle_timeout` is how long a quiet connection stays open: passed-through connections (API
    watches, streams) are long-lived."""

    name: str
    port: int
    servers: tuple[Backend, ...]
    check: Literal["tcp", "https-healthz"] = "tcp"
    idle_timeout: str = "24h"


@dataclass(frozen=True)
class TlsClient:
    """How Prometheus authenticates to a TLS endpoint: files on the Prometheus node, issued by the PKI."""

    ca_file: str
    cert_file: str | None = None
    key_file: str | None = None
    server_name: str | None = None


@dataclass(frozen=True)
class ScrapeTarget:
    """A Prometheus job: endpoints `host:port`, each labelled with the inventory node it runs on.

    With `probe_module`, the job is a blackbox probe: each endpoint is the probe's target (a URL or host:port)
    and Prometheus scrapes the blackbox exporter with that module instead of the endpoint itself."""

    job: str
    endpoints: tuple[tuple[str, str], ...]  # (node name, "address:port"), sorted by node name
    scheme: Literal["http", "https"] = "http"
    metrics_path: str = "/metrics"
    tls: TlsClient | None = None
    params: tuple[tuple[str, tuple[str, ...]], ...] = ()
    interval: str | None = None
    probe_module: str | None = None  # a module of the blackbox exporter's config (observability/blackbox_config.py)
    bearer_token_file: str | None = None  # on the Prometheus node, for endpoints that demand a token


@dataclass(frozen=True)
class AlertRule:
    alert: str
    expr: str
    for_: str = "0m"
    severity: Literal["info", "warning", "critical"] = "warning"
    summary: str = ""
    description: str = ""


@dataclass(frozen=True)
class AlertRuleGroup:
    name: str
    rules: tuple[AlertRule, ...]


@dataclass(frozen=True)
class CertificateRequest:
    """A leaf certificate a layer needs on one node. The PKI layer issues it there, installs a renewal timer
    and runs `reload` (once) after each renewal. `id` is unique per node and names the files and the timer."""

    id: str
    node: str
    common_name: str
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[IPv4Address, ...] = ()
    cert_path: str = ""
    key_path: str = ""
    owner: str = "root"
    group: str = "root"
    mode: str = "0600"
    reload: str | None = None  # a shell command run as root after a renewal, e.g. "systemctl reload haproxy"
    bundle_path: str | None = None  # cert + key concatenated (HAProxy's crt format), if the consumer needs it
    duration: str | None = None  # lifetime like "24h" (None: the PKI's pki.tls.defaultDuration)
    renew_at: int | None = None  # percent of the lifetime after which the timer renews (None: pki.tls.renewAt)


@dataclass(frozen=True)
class ConsulService:
    node: str
    name: str
    port: int
    tags: tuple[str, ...] = ()
    check_http: str | None = None
    check_tcp: str | None = None


@dataclass(frozen=True)
class ListenPort:
    node: str
    port: int
    protocol: Literal["tcp", "udp"]
    service: str
    bind: Literal["node", "loopback", "any"] = "node"


@dataclass(frozen=True)
class QuorumCheck:
    """A command, run on `run_on`, that exits 0 only while the quorum `name` (formed by `members`) is healthy.

    A member of the quorum reboots or restarts only after the previous member is back and this check passes.
    `present` is a shell condition on `run_on` that holds once the quorum exists (its unit is enabled, its manifest
    written); while it does not (a first converge, before the layer installed it), the check is skipped. None: the
    check always runs."""

    name: str
    members: tuple[str, ...]
    run_on: str
    command: str
    timeout_seconds: int = 600
    present: str | None = None


@dataclass(frozen=True)
class LeaveStep:
    """What runs, in `order`, when `node` leaves `membership` (before its resources are deleted).

    The lifecycle layer registers one command per step whose `delete` runs `script` on `run_on` (lifecycle/):
    lower `order` runs first among the steps of one node. `secret` names a secret the wiring hands the lifecycle
    layer (`secrets` in cluster/wiring.py `lifecycle`); it reaches the script on stdin, stored encrypted in state."""

    membership: str
    node: str
    run_on: str
    script: str  # path of a static script beside the layer, relative to the repository root
    params: tuple[tuple[str, str], ...] = ()
    order: int = 0
    secret: str = ""  # "" = no stdin; else a key of the secrets the lifecycle layer is given
    # Also run, from the remaining member `run_on`, when `node` is rebuilt (goldentooth rebuild), before the new
    # incarnation joins: it forgets the old one (a stale etcd member would refuse the new join). Its `secret`, if
    # any, reaches it on stdin as for a leave (lifecycle/forget.py).
    forget_on_rebuild: bool = False
    # False: the step only forgets a rebuilt node's old incarnation (`forget_on_rebuild`) and is no leave step (a
    # Consul force-leave: a node that leaves gracefully needs none).
    on_leave: bool = True


@dataclass(frozen=True)
class Contributions:
    """Everything one layer asks of the concerns other layers own. `+` merges two layers' contributions."""

    dns_records: tuple[DnsRecord, ...] = ()
    http_routes: tuple[HttpRoute, ...] = ()
    tcp_routes: tuple[TcpRoute, ...] = ()
    scrape_targets: tuple[ScrapeTarget, ...] = ()
    alert_rules: tuple[AlertRuleGroup, ...] = ()
    certificates: tuple[CertificateRequest, ...] = ()
    consul_services: tuple[ConsulService, ...] = ()
    listen_ports: tuple[ListenPort, ...] = ()
    quorum_checks: tuple[QuorumCheck, ...] = ()
    leave_steps: tuple[LeaveStep, ...] = field(default_factory=tuple)

    def __add__(self, other: "Contributions") -> "Contributions":
        return Contributions(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @staticmethod
    def merge(parts: Iterable["Contributions"]) -> "Contributions":
        total = Contributions()
        for part in parts:
            total = total + part
        return total
