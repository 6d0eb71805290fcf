"""Consul agent configuration as typed models, rendered to `/etc/consul.d/consul.json`.

The models forbid unknown keys, so a misspelt setting fails here instead of being ignored by the agent. Secrets
(the gossip key, tokens) are `{{secret:NAME}}` placeholders the remote file step fills on the node's stdin.

Differences from the reference (pki-and-hashicorp.md §2, G-CON-1..6), on purpose:
- no plaintext HTTP port at all (`ports.http = -1`): the CLI and every client use HTTPS on 8501 (G-CON-6);
- every agent, servers included, carries an agent token, so the servers can register themselves (G-CON-3);
- the initial management token is preset in the servers' config, so a fresh cluster bootstraps its ACLs by
  itself and a re-run has nothing to bootstrap (G-CON-1, G-CON-2);
- no `auto_encrypt`: every agent has its own certificate from the PKI layer, which auto_encrypt would replace.
"""

import json

from pydantic import BaseModel, ConfigDict, Field

from config.hashicorp import ConsulSettings
from hashicorp import paths, ports


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TlsDefaults(_Strict):
    ca_file: str
    cert_file: str
    key_file: str
    verify_incoming: bool = True
    verify_outgoing: bool = True
    tls_min_version: str = "TLSv1_2"


class TlsInternalRpc(_Strict):
    verify_server_hostname: bool = True


class TlsConfig(_Strict):
    defaults: TlsDefaults
    internal_rpc: TlsInternalRpc = Field(default_factory=TlsInternalRpc)


class AclTokens(_Strict):
    agent: str
    initial_management: str | None = None


class AclConfig(_Strict):
    enabled: bool = True
    default_policy: str = "deny"
    down_policy: str = "extend-cache"
    enable_token_persistence: bool = True
    tokens: AclTokens


class Ports(_Strict):
    http: int = -1
    https: int = ports.CONSUL_HTTPS
    grpc: int = -1
    grpc_tls: int = ports.CONSUL_GRPC_TLS
    dns: int = ports.CONSUL_DNS


class Addresses(_Strict):
    # DNS answers on loopback too, where systemd-resolved forwards `*.consul` (see dns.sh).
    dns: str


class Telemetry(_Strict):
    prometheus_retention_time: str = "60s"
    disable_hostname: bool = True
    enable_host_metrics: bool = True


class UiConfig(_Strict):
    enabled: bool = True


class Connect(_Strict):
    enabled: bool = True


class AgentConfig(_Strict):
    datacenter: str
    domain: str
    node_name: str
    data_dir: str = paths.CONSUL_DATA
    bind_addr: str
    advertise_addr: str
    client_addr: str
    retry_join: tuple[str, ...]
    encrypt: str
    encrypt_verify_incoming: bool = True
    encrypt_verify_outgoing: bool = True
    ports: Ports = Field(default_factory=Ports)
    addresses: Addresses
    tls: TlsConfig
    acl: AclConfig
    telemetry: Telemetry = Field(default_factory=Telemetry)
    leave_on_terminate: bool = False
    rejoin_after_leave: bool = True
    server: bool = False
    bootstrap_expect: int | None = None
    ui_config: UiConfig | None = None
    connect: Connect | None = None


GOSSIP_KEY = "CONSUL_GOSSIP_KEY"
AGENT_TOKEN = "CONSUL_AGENT_TOKEN"
MANAGEMENT_TOKEN = "CONSUL_MANAGEMENT_TOKEN"


def placeholder(name: str) -> str:
    return "{{secret:" + name + "}}"


def agent_config(
    settings: ConsulSettings, *, node: str, address: str, servers: tuple[str, ...], is_server: bool
) -> AgentConfig:
    """One agent's configuration. `servers` are the server addresses every agent retries joining."""
    return AgentConfig(
        datacenter=settings.datacenter,
        domain=settings.domain,
        node_name=node,
        bind_addr=address,
        advertise_addr=address,
        # The HTTPS API on the node address (HAProxy, Prometheus, Nomad) and on loopback (the local CLI).
        client_addr=f"127.0.0.1 {address}",
        retry_join=servers,
        encrypt=placeholder(GOSSIP_KEY),
        addresses=Addresses(dns=f"127.0.0.1 {address}"),
        tls=TlsConfig(
            defaults=TlsDefaults(ca_file=paths.CA_FILE, cert_file=paths.CONSUL_TLS.cert, key_file=paths.CONSUL_TLS.key)
        ),
        acl=AclConfig(
            tokens=AclTokens(
                agent=placeholder(AGENT_TOKEN),
                initial_management=placeholder(MANAGEMENT_TOKEN) if is_server else None,
            )
        ),
        server=is_server,
        bootstrap_expect=len(servers) if is_server else None,
        ui_config=UiConfig() if is_server else None,
        connect=Connect() if is_server else None,
    )


def render(config: AgentConfig) -> str:
    return json.dumps(config.model_dump(exclude_none=True), indent=2, sort_keys=True) + "\n"
