"""`Consul`: servers then clients, default-deny ACLs as code, `*.consul` on every node, service registrations.

Order: packages → configuration → servers start one after another (each restart of a formed server waits for
a leader and every server in the raft configuration) → ACL policies and tokens on the first server → clients
start → each node registers the services other layers declared for it.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_command import remote

from components.contributions import ConsulService
from components.remote_file import FileSpec
from components.remote_step import StepOptions
from components.script import Script
from config.spec import ClusterSpec
from hashicorp import paths, ports, steps
from hashicorp.consul import acl
from hashicorp.consul.config import AGENT_TOKEN, GOSSIP_KEY, MANAGEMENT_TOKEN, agent_config, placeholder, render
from hashicorp.identity import HashicorpIdentity
from nodes.node import Node

_ACL = Script.beside(__file__, "acl.sh")
_SERVICES = Script.beside(__file__, "services.sh")
_DNS = Script.beside(__file__, "dns.sh")
UNIT = "consul.service"
CONFIG_PATH = f"{paths.CONSUL_DIR}/consul.json"
# The agent's own token, for `consul leave` (hashicorp/consul/leave.sh) and the node's CLI.
AGENT_TOKEN_FILE = "/var/lib/goldentooth/consul-agent-token"
LOCAL_API = f"https://127.0.0.1:{ports.CONSUL_HTTPS}"
# `consul validate` tells the format by the file's extension, so the candidate is checked under a .json name.
VALIDATE = 'f=$(mktemp --suffix=.json) && cp "$1" "$f" && consul validate -quiet "$f"; r=$?; rm -f "$f"; exit $r'


def unit_text() -> str:
    """Our own unit (the package's has no restart policy worth keeping): after the network and its certificate."""
    return f"""[Unit]
Description=Consul agent (goldentooth)
Documentation=https://developer.hashicorp.com/consul/docs
Wants=network-online.target
After=network-online.target
ConditionFileNotEmpty={CONFIG_PATH}
AssertPathExists={paths.CONSUL_TLS.cert}

[Service]
Type=notify
User=consul
Group=consul
ExecStart=/usr/bin/consul agent -config-dir={paths.CONSUL_DIR}
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
KillSignal=SIGTERM
Restart=on-failure
RestartSec=5
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
"""


def quorum_health(address: str, servers: int) -> str:
    """A formed server is back when a leader exists and every server is in the raft configuration again.
    (/v1/status/* needs no ACL token; TLS with the node's own certificate, as verify_incoming demands.)"""
    curl = f"curl -sf --cacert {paths.CA_FILE} --cert {paths.CONSUL_TLS.cert} --key {paths.CONSUL_TLS.key}"
    return (
        f"leader=$({curl} {LOCAL_API}/v1/status/leader) && [ -n \"${{leader//\\\"/}}\" ] && "
        f"peers=$({curl} {LOCAL_API}/v1/status/peers) && "
        f"[ \"$(jq length <<<\"$peers\")\" -ge {servers} ] && jq -e 'index(\"{address}:{ports.CONSUL_SERVER_RPC}\")' "
        f"<<<\"$peers\" >/dev/null"
    )


def registration(service: ConsulService, address: str, cluster: str) -> dict[str, object]:
    """A service as the agent API's AgentServiceRegistration (decoded strictly by tests with consul/api)."""
    checks: list[dict[str, object]] = [{
        "Name": f"{service.name}-tcp-port", "TCP": f"{address}:{service.port}", "Interval": "10s", "Timeout": "3s",
    }]
    if service.check_http:
        checks.append({"Name": f"{service.name}-http-health", "HTTP": service.check_http, "Method": "GET",
                       "Interval": "30s", "Timeout": "10s"})
    return {
        "ID": f"{service.name}-{service.node}",
        "Name": service.name,
        "Address": address,
        "Port": service.port,
        "Tags": sorted({"goldentooth", *service.tags}),
        "Meta": {"cluster": cluster, "hostname": service.node},
        "EnableTagOverride": False,
        "Weights": {"Passing": 10, "Warning": 1},
        "Checks": checks,
    }


def token_keys(spec: ClusterSpec, services: Sequence[ConsulService]) -> list[str]:
    """Every Consul token the layer presets: agents, registrations, Vault and Nomad agents, Prometheus."""
    roles = spec.roles
    keys = [f"agent-{n}" for n in (*roles.consul.servers, *roles.consul.clients)]
    keys += [f"registration-{n}" for n in sorted({s.node for s in services})]
    keys += [f"vault-{n}" for n in roles.vault.servers]
    keys += [f"nomad-{n}" for n in sorted({*roles.nomad.servers, *roles.nomad.clients})]
    keys.append("prometheus")
    return keys


def token_specs(spec: ClusterSpec, services: Sequence[ConsulService]) -> tuple[list[acl.Policy], list[acl.TokenSpec]]:
    roles = spec.roles
    policies: list[acl.Policy] = [acl.VAULT, acl.NOMAD_SERVER, acl.NOMAD_CLIENT, acl.PROMETHEUS]
    tokens: list[acl.TokenSpec] = [acl.TokenSpec("prometheus", "Prometheus scrape token", ("prometheus",))]
    for node in (*roles.consul.servers, *roles.consul.clients):
        policy = acl.agent_policy(node)
        policies.append(policy)
        tokens.append(acl.TokenSpec(f"agent-{node}", f"Consul agent token for {node}", (policy.name,)))
    by_node: dict[str, list[str]] = {}
    for service in services:
        by_node.setdefault(service.node, []).append(service.name)
    for node, names in sorted(by_node.items()):
        policy = acl.registration_policy(node, names)
        policies.append(policy)
        tokens.append(acl.TokenSpec(f"registration-{node}", f"Service registrations on {node}", (policy.name,)))
    for node in roles.vault.servers:
        tokens.append(acl.TokenSpec(f"vault-{node}", f"Vault service registration on {node}", ("vault",)))
    for node in sorted({*roles.nomad.servers, *roles.nomad.clients}):
        role = "server" if node in roles.nomad.servers else "client"
        tokens.append(acl.TokenSpec(f"nomad-{node}", f"Nomad {role} on {node}", (f"nomad-{role}",)))
    return policies, tokens


def _services_document(body: list[dict[str, object]]) -> Callable[[str], str]:
    return lambda token: json.dumps({"Token": token, "Services": body}, sort_keys=True)


@dataclass(frozen=True)
class ConsulArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]
    identity: HashicorpIdentity
    services: tuple[ConsulService, ...]
    # (node, certificate id) -> the PKI layer's step after which that certificate is on the node
    certificates: Mapping[tuple[str, str], pulumi.Resource]
    repositories: Mapping[str, pulumi.Resource]  # node -> its HashiCorp apt repository step


class Consul(pulumi.ComponentResource):
    agents_ready: dict[str, remote.Command]  # node -> the step after which its agent runs (with its token)
    acl: remote.Command

    def __init__(self, name: str, args: ConsulArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:hashicorp:Consul", name, None, opts)
        spec, identity = args.spec, args.identity
        settings, roles = spec.hashicorp.consul, spec.roles
        servers = roles.consul.servers
        server_addresses = tuple(str(spec.node(s).ip) for s in servers)
        tls_params = {"GT_CA": paths.CA_FILE, "GT_CERT": paths.CONSUL_TLS.cert, "GT_KEY": paths.CONSUL_TLS.key}
        restarts: dict[str, remote.Command] = {}
        previous_server: list[pulumi.Resource] = []
        for node_name in (*servers, *roles.consul.clients):
            node = args.nodes[node_name]
            runner = node.runner_under(self)
            is_server = node_name in servers
            cert = [c for c in (args.certificates.get((node_name, "consul")),) if c is not None]
            packages = steps.install(runner, "consul", {"consul": settings.version, "jq": None},
                                     [args.repositories[node_name]])
            content = render(agent_config(settings, node=node_name, address=str(node.spec.ip),
                                          servers=server_addresses, is_server=is_server))
            secrets = {GOSSIP_KEY: identity.consul_gossip_key,
                       AGENT_TOKEN: identity.consul_tokens[f"agent-{node_name}"].secret}
            if is_server:
                secrets[MANAGEMENT_TOKEN] = identity.consul_management_token
            spec_file = FileSpec(CONFIG_PATH, content, mode="0640", owner="root", group="consul",
                                       validate=VALIDATE)
            config = steps.config_file(runner, "consul-config", spec_file, unit=UNIT, after=[packages, *cert],
                                       secrets=secrets)
            unit = steps.config_file(runner, "consul-unit", FileSpec(f"/etc/systemd/system/{UNIT}", unit_text()),
                                     unit=UNIT, after=[packages])
            waits: list[pulumi.Resource] = [config, unit, *cert]
            if is_server:
                waits += previous_server
            else:
                waits += [self.acl]
            restart = steps.restart(
                runner, "consul", unit=UNIT, state=f"{paths.CONSUL_DATA}/raft/raft.db" if is_server
                else f"{paths.CONSUL_DATA}/node-id",
                health=quorum_health(str(node.spec.ip), len(servers)) if is_server
                else f"curl -sf --cacert {paths.CA_FILE} --cert {paths.CONSUL_TLS.cert} --key {paths.CONSUL_TLS.key} "
                     f"{LOCAL_API}/v1/status/leader | grep -q :",
                after=waits,
                triggers=[steps.content_digest(spec_file, secrets), steps.content_digest(
                    FileSpec(f"/etc/systemd/system/{UNIT}", unit_text()))],
            )
            steps.config_file(runner, "consul-agent-token", FileSpec(AGENT_TOKEN_FILE, placeholder(AGENT_TOKEN),
                                                                     mode="0600"),
                              unit="consul-agent-token", after=[packages],
                              secrets={AGENT_TOKEN: identity.consul_tokens[f"agent-{node_name}"].secret})
            restarts[node_name] = restart
            if is_server:
                previous_server = [restart]
                if node_name == servers[-1]:
                    self.acl = self._acl_step(args, restarts, tls_params)
            runner.run("consul-dns", _DNS, {"GT_DOMAIN": settings.domain, "GT_PORT": str(ports.CONSUL_DNS)},
                       options=StepOptions(depends_on=[restart]))
        # Servers are ready for others once the ACL step created their agent tokens.
        self.agents_ready = {n: (self.acl if n in servers else r) for n, r in restarts.items()}
        self._register_services(args, tls_params)
        self.register_outputs({"servers": list(servers), "agents": sorted(restarts)})

    def _acl_step(self, args: ConsulArgs, restarts: Mapping[str, remote.Command],
                  tls_params: Mapping[str, str]) -> remote.Command:
        spec, identity = args.spec, args.identity
        first = args.nodes[spec.roles.consul.servers[0]]
        policies, tokens = token_specs(spec, args.services)
        ids = {k: (v.accessor, v.secret) for k, v in identity.consul_tokens.items()}
        document = acl.bootstrap_document(identity.consul_management_token, policies, tokens, ids)
        return first.runner_under(self).run(
            "consul-acl", _ACL, {**tls_params, "GT_CONSUL_URL": LOCAL_API, "GT_NODE": first.spec.name},
            stdin=document, secret=True,
            options=StepOptions(depends_on=list(restarts.values()), timeout="15m"),
        )

    def _register_services(self, args: ConsulArgs, tls_params: Mapping[str, str]) -> None:
        by_node: dict[str, list[ConsulService]] = {}
        for service in args.services:
            by_node.setdefault(service.node, []).append(service)
        for node_name, services in sorted(by_node.items()):
            node = args.nodes[node_name]
            body = [registration(s, str(node.spec.ip), args.spec.cluster.name)
                    for s in sorted(services, key=lambda s: s.name)]
            token = args.identity.consul_tokens[f"registration-{node_name}"].secret
            document: pulumi.Output[str] = pulumi.Output.secret(token.apply(_services_document(body)))
            node.runner_under(self).run(
                "consul-services", _SERVICES, {**tls_params, "GT_CONSUL_URL": LOCAL_API},
                stdin=document, secret=True,
                options=StepOptions(depends_on=[self.agents_ready[node_name], self.acl]),
            )
