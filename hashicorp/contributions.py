"""What the HashiCorp layer asks of the concerns other layers own: certificates (PKI), HAProxy routes (edge),
scrape targets and alert rules (observability), quorum checks and leave steps (nodes, lifecycle), ports."""

from ipaddress import IPv4Address

from components.contributions import (
    AlertRule,
    AlertRuleGroup,
    Backend,
    CertificateRequest,
    Contributions,
    HttpRoute,
    LeaveStep,
    ListenPort,
    QuorumCheck,
    ScrapeTarget,
    TlsClient,
)
from config.spec import ClusterSpec
from hashicorp import paths, ports
from hashicorp.consul.component import quorum_health as consul_health
from hashicorp.nomad.component import quorum_health as nomad_health
from hashicorp.vault.component import quorum_health as vault_health

LOOPBACK = IPv4Address("127.0.0.1")


def _reload_if_running(unit: str) -> str:
    """A renewal reloads the agent (it re-reads its TLS files on SIGHUP); the first issue comes before the agent
    exists, so only a running agent is reloaded."""
    return f"if systemctl is-active --quiet {unit}; then systemctl reload {unit}; fi"


def _cert(
    id_: str, node: str, ip: IPv4Address, cn: str, names: tuple[str, ...], files: paths.TlsFiles, owner: str,
    reload: str,
) -> CertificateRequest:
    return CertificateRequest(
        id=id_, node=node, common_name=cn, dns_names=tuple(sorted({cn, *names, "localhost"})),
        ip_addresses=(ip, LOOPBACK), cert_path=files.cert, key_path=files.key, owner=owner, group=owner,
        mode="0600", reload=reload,
    )


def certificates(spec: ClusterSpec) -> tuple[CertificateRequest, ...]:
    roles, c, n = spec.roles, spec.hashicorp.consul, spec.hashicorp.nomad
    requests: list[CertificateRequest] = []
    for node in spec.nodes_named((*roles.consul.servers, *roles.consul.clients)):
        role = "server" if node.name in roles.consul.servers else "client"
        fqdn = spec.domains.node_fqdn(node.name)
        requests.append(_cert("consul", node.name, node.ip, f"{role}.{c.datacenter}.{c.domain}",
                              (fqdn, f"{node.name}.node.{c.domain}"), paths.CONSUL_TLS, "consul",
                              _reload_if_running("consul")))
    for node in spec.nodes_named(roles.vault.servers):
        names: tuple[str, ...] = (spec.domains.node_fqdn(node.name), f"vault.{spec.domains.services}",
                                  f"vault.service.{c.domain}")
        requests.append(_cert("vault", node.name, node.ip, f"vault.service.{c.domain}", names, paths.VAULT_TLS,
                              "vault", _reload_if_running("vault")))
    for node in spec.nodes_named(tuple(sorted({*roles.nomad.servers, *roles.nomad.clients}))):
        role = "server" if node.name in roles.nomad.servers else "client"
        names = (spec.domains.node_fqdn(node.name), f"nomad.{spec.domains.services}")
        requests.append(_cert("nomad", node.name, node.ip, f"{role}.{n.region}.nomad", names, paths.NOMAD_TLS,
                              "root", _reload_if_running("nomad")))
        requests.append(_cert("nomad-cli", node.name, node.ip, f"cli.{n.region}.nomad", (), paths.NOMAD_CLI_TLS,
                              "root", "true"))
    prometheus = spec.node(roles.prometheus)
    requests.append(_cert("consul-client", prometheus.name, prometheus.ip, f"client.{c.datacenter}.{c.domain}", (),
                          paths.PROMETHEUS_CONSUL_TLS, "prometheus", "true"))
    requests.append(_cert("nomad-client", prometheus.name, prometheus.ip, f"client.{n.region}.nomad", (),
                          paths.PROMETHEUS_NOMAD_TLS, "prometheus", "true"))
    return tuple(requests)


def _servers(spec: ClusterSpec, names: tuple[str, ...], port: int) -> tuple[Backend, ...]:
    return tuple(Backend(n.name, str(n.ip), port) for n in spec.nodes_named(names))


def routes(spec: ClusterSpec) -> tuple[HttpRoute, ...]:
    """The UIs behind HAProxy, as the live cluster routes them. Consul and Nomad demand client certificates, so
    only their TCP connect is checked; Vault's health answers standbys too."""
    svc, roles = spec.domains.services, spec.roles
    return (
        HttpRoute("consul", f"consul.{svc}", _servers(spec, roles.consul.servers, ports.CONSUL_HTTPS), tls=True,
                  check_path=None),
        HttpRoute("nomad", f"nomad.{svc}", _servers(spec, roles.nomad.servers, ports.NOMAD_HTTP), tls=True,
                  check_path=None),
        HttpRoute("vault", f"vault.{svc}", _servers(spec, roles.vault.servers, ports.VAULT_API), tls=True,
                  check_path=None),
    )


def _endpoints(spec: ClusterSpec, names: tuple[str, ...], port: int) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((n.name, f"{n.ip}:{port}") for n in spec.nodes_named(names)))


def scrape_targets(spec: ClusterSpec) -> tuple[ScrapeTarget, ...]:
    roles = spec.roles
    consul_tls = TlsClient(paths.CA_FILE, paths.PROMETHEUS_CONSUL_TLS.cert, paths.PROMETHEUS_CONSUL_TLS.key)
    nomad_tls = TlsClient(paths.CA_FILE, paths.PROMETHEUS_NOMAD_TLS.cert, paths.PROMETHEUS_NOMAD_TLS.key)
    return (
        ScrapeTarget("consul", _endpoints(spec, (*roles.consul.servers, *roles.consul.clients), ports.CONSUL_HTTPS),
                     scheme="https", metrics_path="/v1/agent/metrics", tls=consul_tls,
                     params=(("format", ("prometheus",)),), bearer_token_file=paths.PROMETHEUS_CONSUL_TOKEN),
        ScrapeTarget("vault", _endpoints(spec, roles.vault.servers, ports.VAULT_API), scheme="https",
                     metrics_path="/v1/sys/metrics", tls=TlsClient(paths.CA_FILE),
                     params=(("format", ("prometheus",)),)),
        ScrapeTarget("nomad", _endpoints(spec, tuple(sorted({*roles.nomad.servers, *roles.nomad.clients})),
                                         ports.NOMAD_HTTP),
                     scheme="https", metrics_path="/v1/metrics", tls=nomad_tls, params=(("format", ("prometheus",)),)),
    )


def alert_rules(spec: ClusterSpec) -> tuple[AlertRuleGroup, ...]:
    """Quorum alerts with metrics these services really export (G21: `consul_up` is not one of them)."""
    roles = spec.roles
    return (AlertRuleGroup("hashicorp", (
        AlertRule("ConsulRaftPeersMissing",
                  f"max(consul_raft_peers) < {len(roles.consul.servers)} or absent(consul_raft_peers)", "5m",
                  "critical", "Consul lost a server", "Fewer Consul servers than configured are raft peers."),
        AlertRule("ConsulNoLeader", "max(consul_raft_leader_lastContact_count) == 0 or absent(consul_server_isLeader)",
                  "5m", "critical", "Consul has no leader", "No Consul server reports leadership."),
        AlertRule("VaultSealed", 'vault_core_unsealed == 0', "2m", "critical", "Vault is sealed",
                  "A Vault server is sealed: check its KMS access."),
        AlertRule("VaultRaftPeersMissing",
                  f'count(up{{job="vault"}} == 1) < {len(roles.vault.servers)}', "5m", "critical",
                  "A Vault server is down", "Fewer Vault servers answer than are configured."),
        AlertRule("NomadServerMissing",
                  f'count(up{{job="nomad",instance=~"{"|".join(str(spec.node(s).ip) for s in roles.nomad.servers)}:.*"}}'
                  f' == 1) < {len(roles.nomad.servers)}', "5m", "critical",
                  "A Nomad server is down", "Fewer Nomad servers answer than are configured."),
    )),)


def _enabled(unit: str) -> str:
    """The quorum exists once its agent is enabled (a first converge reboots the nodes before installing it)."""
    return f"systemctl is-enabled --quiet {unit}"


def quorum_checks(spec: ClusterSpec) -> tuple[QuorumCheck, ...]:
    roles = spec.roles
    vault_addresses = tuple(str(n.ip) for n in spec.nodes_named(roles.vault.servers))
    consul_first = spec.node(roles.consul.servers[0])
    return (
        QuorumCheck("consul", roles.consul.servers, consul_first.name,
                    consul_health(str(consul_first.ip), len(roles.consul.servers)), present=_enabled("consul")),
        QuorumCheck("vault", roles.vault.servers, roles.vault.servers[0], vault_health(vault_addresses),
                    present=_enabled("vault")),
        QuorumCheck("nomad", roles.nomad.servers, roles.nomad.servers[0], nomad_health(len(roles.nomad.servers)),
                    present=_enabled("nomad")),
    )


def leave_steps(spec: ClusterSpec) -> tuple[LeaveStep, ...]:
    """Leaving, in order: Nomad drains first (its jobs move), Vault's raft forgets the peer, Consul leaves last.
    A rebuilt Consul member is forced out first (`forget_on_rebuild`, lifecycle/forget.py)."""
    roles = spec.roles
    steps: list[LeaveStep] = []
    for node in sorted({*roles.nomad.servers, *roles.nomad.clients}):
        steps.append(LeaveStep("nomad", node, node, "hashicorp/nomad/leave.sh",
                               (("GT_NODE", node), ("GT_DEADLINE", "10m")), order=10,
                               secret="nomad-management-token"))
    for node in roles.vault.servers:
        peer = next(s for s in roles.vault.servers if s != node) if len(roles.vault.servers) > 1 else node
        steps.append(LeaveStep("vault", node, peer, "hashicorp/vault/leave.sh", (("GT_NODE", node),), order=20,
                               secret="vault-admin-token"))
    for node in (*roles.consul.servers, *roles.consul.clients):
        steps.append(LeaveStep("consul", node, node, "hashicorp/consul/leave.sh", (("GT_NODE", node),), order=30))
    servers = roles.consul.servers
    for node in servers if len(servers) > 1 else ():
        # A server's leave is done once the remaining servers have a leader and no longer count it as a voter.
        peer = next(s for s in servers if s != node)
        steps.append(LeaveStep("consul", node, peer, "hashicorp/consul/check_peers.sh",
                               (("GT_NODE", node), ("GT_NODE_ADDRESS", f"{spec.node(node).ip}:{ports.CONSUL_SERVER_RPC}"),
                                ("GT_TIMEOUT", "300")), order=31))
    for node in (*servers, *roles.consul.clients):
        # A rebuilt member's old incarnation is forced out from a remaining server before its new agent joins (no
        # leave: a node that leaves gracefully needs none). force-leave needs operator:write: the management token.
        if (remaining := next((s for s in servers if s != node), None)) is not None:
            steps.append(LeaveStep("consul", node, remaining, "hashicorp/consul/force_leave.sh",
                                   (("GT_NODE", node), ("GT_TIMEOUT", "60")), order=32,
                                   secret="consul-management-token", forget_on_rebuild=True, on_leave=False))
    return tuple(steps)


def listen_ports(spec: ClusterSpec) -> tuple[ListenPort, ...]:
    roles = spec.roles
    out: list[ListenPort] = []
    for node in (*roles.consul.servers, *roles.consul.clients):
        out += [ListenPort(node, ports.CONSUL_HTTPS, "tcp", "consul-https"),
                ListenPort(node, ports.CONSUL_GRPC_TLS, "tcp", "consul-grpc-tls"),
                ListenPort(node, ports.CONSUL_SERF_LAN, "tcp", "consul-serf"),
                ListenPort(node, ports.CONSUL_SERF_LAN, "udp", "consul-serf"),
                ListenPort(node, ports.CONSUL_DNS, "udp", "consul-dns")]
        if node in roles.consul.servers:
            out.append(ListenPort(node, ports.CONSUL_SERVER_RPC, "tcp", "consul-rpc"))
    for node in roles.vault.servers:
        out += [ListenPort(node, ports.VAULT_API, "tcp", "vault"), ListenPort(node, ports.VAULT_CLUSTER, "tcp",
                                                                              "vault-cluster")]
    for node in sorted({*roles.nomad.servers, *roles.nomad.clients}):
        out.append(ListenPort(node, ports.NOMAD_HTTP, "tcp", "nomad-http"))
        if node in roles.nomad.servers:
            out += [ListenPort(node, ports.NOMAD_RPC, "tcp", "nomad-rpc"),
                    ListenPort(node, ports.NOMAD_SERF, "tcp", "nomad-serf")]
    return tuple(out)


def contributions(spec: ClusterSpec) -> Contributions:
    if not spec.hashicorp.enabled:
        return Contributions()
    return Contributions(
        http_routes=routes(spec), scrape_targets=scrape_targets(spec), alert_rules=alert_rules(spec),
        certificates=certificates(spec), listen_ports=listen_ports(spec), quorum_checks=quorum_checks(spec),
        leave_steps=leave_steps(spec),
    )
