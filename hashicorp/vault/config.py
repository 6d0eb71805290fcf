"""Vault server configuration as typed models, rendered to `/etc/vault.d/vault.json`.

Integrated raft storage instead of the reference's Consul storage: it is HashiCorp's recommended storage, it
removes Vault's dependency on a healthy Consul quorum (and the plaintext HTTP hop to the local agent, G-VLT),
and a raft cluster is what OpenBao, the Vault-compatible server we can run in the lab, offers. Every server
lists its peers in `retry_join`, so a restarted or new server finds the cluster by itself.
"""

import json

from pydantic import BaseModel, ConfigDict, Field

from hashicorp import paths, ports


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetryJoin(_Strict):
    leader_api_addr: str
    leader_ca_cert_file: str = paths.CA_FILE
    leader_client_cert_file: str = paths.VAULT_TLS.cert
    leader_client_key_file: str = paths.VAULT_TLS.key


class Raft(_Strict):
    path: str = paths.VAULT_RAFT
    node_id: str
    retry_join: tuple[RetryJoin, ...]


class Storage(_Strict):
    raft: Raft


class ListenerTelemetry(_Strict):
    unauthenticated_metrics_access: bool = True


class Tcp(_Strict):
    address: str
    cluster_address: str | None = None
    tls_cert_file: str = paths.VAULT_TLS.cert
    tls_key_file: str = paths.VAULT_TLS.key
    tls_client_ca_file: str = paths.CA_FILE
    tls_min_version: str = "tls12"
    telemetry: ListenerTelemetry = Field(default_factory=ListenerTelemetry)


class Listener(_Strict):
    tcp: Tcp


class AwsKms(_Strict):
    kms_key_id: str
    region: str
    endpoint: str | None = None  # only the lab overlay sets it (a local KMS)


class Seal(_Strict):
    awskms: AwsKms


class ConsulRegistration(_Strict):
    address: str = f"127.0.0.1:{ports.CONSUL_HTTPS}"
    scheme: str = "https"
    tls_ca_file: str = paths.CA_FILE
    tls_cert_file: str = paths.VAULT_TLS.cert
    tls_key_file: str = paths.VAULT_TLS.key
    token: str


class ServiceRegistration(_Strict):
    consul: ConsulRegistration


class Telemetry(_Strict):
    prometheus_retention_time: str = "24h"
    disable_hostname: bool = True
    usage_gauge_period: str = "10m"
    maximum_gauge_cardinality: int = 500


class ServerConfig(_Strict):
    ui: bool = True
    cluster_name: str
    api_addr: str
    cluster_addr: str
    disable_mlock: bool = True  # HashiCorp's advice with integrated storage (mlock and a large raft db fight)
    storage: Storage
    listener: tuple[Listener, ...]
    seal: Seal
    service_registration: ServiceRegistration | None = None
    telemetry: Telemetry = Field(default_factory=Telemetry)
    log_level: str = "info"
    # `audit "file" { type = "file", path = "file", options = { file_path = ... } }`: OpenBao's declarative audit
    # devices (a list, so HCL's JSON reader does not fold the block's keys into labels).
    audit: tuple[dict[str, dict[str, object]], ...] | None = None


CONSUL_TOKEN = "VAULT_CONSUL_TOKEN"


def server_config(
    *, cluster: str, node: str, address: str, peers: tuple[str, ...], kms_alias: str, region: str,
    consul_registration: bool = True,
    declarative_audit: bool = False,
) -> ServerConfig:
    """`peers` are the other servers' addresses. The second listener (loopback) serves the node's own CLI."""
    return ServerConfig(
        cluster_name=cluster,
        api_addr=f"https://{address}:{ports.VAULT_API}",
        cluster_addr=f"https://{address}:{ports.VAULT_CLUSTER}",
        storage=Storage(raft=Raft(
            node_id=node, retry_join=tuple(RetryJoin(leader_api_addr=f"https://{p}:{ports.VAULT_API}") for p in peers)
        )),
        listener=(
            Listener(tcp=Tcp(address=f"{address}:{ports.VAULT_API}", cluster_address=f"{address}:{ports.VAULT_CLUSTER}")),
            Listener(tcp=Tcp(address=f"127.0.0.1:{ports.VAULT_API}")),
        ),
        seal=Seal(awskms=AwsKms(kms_key_id=kms_alias, region=region)),
        service_registration=ServiceRegistration(consul=ConsulRegistration(token="{{secret:" + CONSUL_TOKEN + "}}"))
        if consul_registration else None,
        audit=({"file": {"type": "file", "path": "file", "options": {"file_path": paths.VAULT_AUDIT_LOG}}},)
        if declarative_audit else None,
    )


def render(config: ServerConfig) -> str:
    return json.dumps(config.model_dump(exclude_none=True), indent=2, sort_keys=True) + "\n"
