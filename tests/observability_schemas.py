"""Typed models of the Loki 3 and Vector 0.4x configuration keys the program renders, written from their
configuration references (no machine-readable schema of either can be obtained here: Loki ships none, Vector
generates its own with the `vector` binary). Every model forbids unknown keys, so a misspelt or misplaced key,
a wrong type or a missing required key fails validation. Only the keys the program uses are modelled."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- Loki (grafana.com/docs/loki/latest/configure/) ---------------------------------------------------------
class LokiTls(Strict):
    cert_file: str
    key_file: str
    client_ca_file: str | None = None
    client_auth_type: Literal["NoClientCert", "RequestClientCert", "RequireAnyClientCert",
                              "VerifyClientCertIfGiven", "RequireAndVerifyClientCert"] | None = None


class LokiServer(Strict):
    http_listen_address: str
    http_listen_port: int
    http_tls_config: LokiTls | None = None
    grpc_listen_address: str
    grpc_listen_port: int
    log_level: Literal["debug", "info", "warn", "error"]
    log_format: Literal["logfmt", "json"]


class LokiFilesystem(Strict):
    chunks_directory: str
    rules_directory: str


class LokiStorage(Strict):
    filesystem: LokiFilesystem


class LokiKv(Strict):
    store: Literal["consul", "etcd", "inmemory", "memberlist", "multi"]


class LokiRing(Strict):
    kvstore: LokiKv


class LokiCommon(Strict):
    instance_addr: str
    path_prefix: str
    storage: LokiStorage
    replication_factor: int = Field(ge=1)
    ring: LokiRing


class LokiIndex(Strict):
    prefix: str
    period: str


class LokiPeriod(Strict):
    from_: str = Field(alias="from")
    store: Literal["tsdb", "boltdb-shipper"]
    object_store: Literal["filesystem", "s3", "gcs", "azure", "swift", "bos", "cos"]
    schema_: Literal["v11", "v12", "v13"] = Field(alias="schema")
    index: LokiIndex


class LokiSchema(Strict):
    configs: list[LokiPeriod]


class LokiLimits(Strict):
    retention_period: str


class LokiCompactor(Strict):
    working_directory: str
    compaction_interval: str
    retention_enabled: bool
    retention_delete_delay: str
    delete_request_store: Literal["filesystem", "s3", "gcs", "azure"]


class LokiRuler(Strict):
    alertmanager_url: str


class LokiAnalytics(Strict):
    reporting_enabled: bool


class LokiConfig(Strict):
    auth_enabled: bool
    server: LokiServer
    common: LokiCommon
    schema_config: LokiSchema
    limits_config: LokiLimits
    compactor: LokiCompactor
    ruler: LokiRuler
    analytics: LokiAnalytics


# --- Vector (vector.dev/docs/reference/configuration/) --------------------------------------------------------
class VectorApi(Strict):
    enabled: bool
    address: str


class JournaldSource(Strict):
    type: Literal["journald"]
    current_boot_only: bool = True


class InternalMetricsSource(Strict):
    type: Literal["internal_metrics"]


class VectorTls(Strict):
    ca_file: str
    crt_file: str
    key_file: str
    verify_certificate: bool
    verify_hostname: bool


class VectorEncoding(Strict):
    codec: Literal["json", "text", "logfmt", "raw_message"]


class LokiSink(Strict):
    type: Literal["loki"]
    inputs: list[str] = Field(min_length=1)
    endpoint: str
    encoding: VectorEncoding
    labels: dict[str, str]
    tls: VectorTls


class PrometheusExporterSink(Strict):
    type: Literal["prometheus_exporter"]
    inputs: list[str] = Field(min_length=1)
    address: str


class VectorConfig(Strict):
    data_dir: str
    api: VectorApi
    sources: dict[str, JournaldSource | InternalMetricsSource]
    sinks: dict[str, LokiSink | PrometheusExporterSink]
