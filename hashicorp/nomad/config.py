"""Nomad agent configuration as typed models, rendered to `/etc/nomad.d/nomad.json`.

Fixes of the reference (pki-and-hashicorp.md §4, G-NMD-1..4): an agent that runs a client runs as root (a
client as the nomad user cannot use most drivers), ACLs are on and bootstrapped with a preset token, Nomad has
its own gossip key instead of Consul's, the GPU class gets the NVIDIA device plugin, and tasks run with the
built-in `exec` driver (isolation by cgroups and chroot), which needs no Docker beside Kubernetes' containerd.
"""

import json

from pydantic import BaseModel, ConfigDict, Field

from config.hashicorp import NomadSettings
from hashicorp import paths, ports


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Advertise(_Strict):
    http: str
    rpc: str
    serf: str


class ServerJoin(_Strict):
    retry_join: tuple[str, ...]


class Server(_Strict):
    enabled: bool = True
    bootstrap_expect: int
    encrypt: str
    server_join: ServerJoin


class Client(_Strict):
    enabled: bool = True
    node_class: str
    meta: dict[str, str]
    server_join: ServerJoin


class Tls(_Strict):
    http: bool = True
    rpc: bool = True
    ca_file: str = paths.CA_FILE
    cert_file: str = paths.NOMAD_TLS.cert
    key_file: str = paths.NOMAD_TLS.key
    verify_server_hostname: bool = True
    verify_https_client: bool = True


class Acl(_Strict):
    enabled: bool = True


class Consul(_Strict):
    address: str = f"127.0.0.1:{ports.CONSUL_HTTPS}"
    grpc_address: str = f"127.0.0.1:{ports.CONSUL_GRPC_TLS}"
    ssl: bool = True
    verify_ssl: bool = True
    ca_file: str = paths.CA_FILE
    cert_file: str = paths.NOMAD_TLS.cert
    key_file: str = paths.NOMAD_TLS.key
    token: str
    server_service_name: str = "nomad"
    client_service_name: str = "nomad-client"
    auto_advertise: bool = True
    server_auto_join: bool = True
    client_auto_join: bool = True


class Telemetry(_Strict):
    collection_interval: str = "10s"
    disable_hostname: bool = True
    prometheus_metrics: bool = True
    publish_allocation_metrics: bool = True
    publish_node_metrics: bool = True


class Ui(_Strict):
    enabled: bool = True


class AgentConfig(_Strict):
    region: str
    datacenter: str
    name: str
    data_dir: str = paths.NOMAD_DATA
    plugin_dir: str = paths.NOMAD_PLUGINS
    bind_addr: str
    advertise: Advertise
    server: Server | None = None
    client: Client | None = None
    tls: Tls = Field(default_factory=Tls)
    acl: Acl = Field(default_factory=Acl)
    consul: Consul
    telemetry: Telemetry = Field(default_factory=Telemetry)
    ui: Ui | None = None
    plugin: dict[str, dict[str, dict[str, object]]] | None = None


GOSSIP_KEY = "NOMAD_GOSSIP_KEY"
CONSUL_TOKEN = "NOMAD_CONSUL_TOKEN"


def _placeholder(name: str) -> str:
    return "{{secret:" + name + "}}"


def agent_config(
    settings: NomadSettings,
    *,
    node: str,
    address: str,
    architecture: str,
    servers: tuple[str, ...],
    is_server: bool,
    is_client: bool,
    gpu: bool,
) -> AgentConfig:
    join = ServerJoin(retry_join=servers)
    client = None
    if is_client:
        client = Client(
            node_class=settings.gpu_node_class if gpu else "default",
            meta={"arch": architecture, "gpu": "true" if gpu else "false"},
            server_join=join,
        )
    plugins: dict[str, dict[str, dict[str, object]]] = {}
    if is_client:
        # exec: isolation by cgroups and chroot, and no Docker daemon beside Kubernetes' containerd.
        plugins["exec"] = {"config": {"allow_caps": ["audit_write", "chown", "dac_override", "fowner", "fsetid",
                                                     "kill", "mknod", "net_bind_service", "setfcap", "setgid",
                                                     "setpcap", "setuid", "sys_chroot"]}}
        plugins["raw_exec"] = {"config": {"enabled": False}}
    if gpu:
        plugins["nvidia-gpu"] = {"config": {"enabled": True, "fingerprint_period": "1m"}}
    return AgentConfig(
        region=settings.region,
        datacenter=settings.datacenter,
        name=node,
        bind_addr=address,
        advertise=Advertise(http=address, rpc=address, serf=address),
        server=Server(bootstrap_expect=len(servers), encrypt=_placeholder(GOSSIP_KEY), server_join=join)
        if is_server else None,
        client=client,
        consul=Consul(token=_placeholder(CONSUL_TOKEN)),
        ui=Ui() if is_server else None,
        plugin=plugins or None,
    )


def render(config: AgentConfig) -> str:
    return json.dumps(config.model_dump(exclude_none=True), indent=2, sort_keys=True) + "\n"
