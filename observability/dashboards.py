"""Grafana dashboards as typed code (grafana-foundation-sdk): node health, HAProxy, Kubernetes, the HashiCorp
servers and storage. Each query reads a job or metric some layer's contributions scrape; the files are
provisioned read-only from /etc/grafana/dashboards (no git clone into the data directory)."""

from grafana_foundation_sdk.builders import dashboard, prometheus, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as model

PROMETHEUS_UID = "prometheus"
LOKI_UID = "loki"
_DATASOURCE = model.DataSourceRef(type_val="prometheus", uid=PROMETHEUS_UID)

Panel = tuple[str, str, str, str]  # title, expr, legend, unit


def _panel(title: str, expr: str, legend: str, unit: str, index: int) -> timeseries.Panel:
    return (
        timeseries.Panel()
        .title(title)
        .datasource(_DATASOURCE)
        .unit(unit)
        .grid_pos(model.GridPos(h=8, w=12, x=12 * (index % 2), y=8 * (index // 2)))
        .with_target(prometheus.Dataquery().expr(expr).legend_format(legend).ref_id("A"))
    )


def _dashboard(uid: str, title: str, tags: list[str], panels: list[Panel]) -> dashboard.Dashboard:
    board = (dashboard.Dashboard(title).uid(uid).tags(["goldentooth", *tags]).refresh("1m")
             .time("now-6h", "now").timezone("browser").editable())
    for index, (panel_title, expr, legend, unit) in enumerate(panels):
        board = board.with_panel(_panel(panel_title, expr, legend, unit, index))
    return board


def dashboards() -> dict[str, model.Dashboard]:
    """uid -> dashboard model."""
    boards = [
        _dashboard("gt-nodes", "Node health", ["nodes"], [
            ("SoC temperature", "goldentooth_soc_temperature_celsius", "{{instance}}", "celsius"),
            ("Throttling flags now", 'goldentooth_pi_throttle_flag{flag=~".*_now"} == 1', "{{instance}} {{flag}}",
             "short"),
            ("CPU frequency", "goldentooth_cpu_frequency_hertz", "{{instance}}", "hertz"),
            ("CPU busy", '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', "{{instance}}",
             "percentunit"),
            ("Memory available", "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "{{instance}}",
             "percentunit"),
            ("Root filesystem used", '1 - node_filesystem_avail_bytes{mountpoint="/"} / '
             'node_filesystem_size_bytes{mountpoint="/"}', "{{instance}}", "percentunit"),
            ("Journal size", "goldentooth_journal_disk_bytes", "{{instance}}", "bytes"),
            ("Certificate time left", "goldentooth_certificate_expiry_timestamp_seconds - time()",
             "{{instance}} {{certificate}}", "s"),
        ]),
        _dashboard("gt-haproxy", "HAProxy", ["haproxy"], [
            ("Backends up", 'haproxy_backend_active_servers{job="haproxy"}', "{{proxy}}", "short"),
            ("Sessions", 'rate(haproxy_frontend_sessions_total{job="haproxy"}[5m])', "{{proxy}}", "reqps"),
            ("HTTP 5xx", 'rate(haproxy_backend_http_responses_total{job="haproxy", code="5xx"}[5m])', "{{proxy}}",
             "reqps"),
            ("Route probes", 'probe_success{job="blackbox-routes"}', "{{route}}", "short"),
        ]),
        _dashboard("gt-kubernetes", "Kubernetes", ["kubernetes"], [
            ("API servers up", 'up{job="kubernetes-apiserver"}', "{{instance}}", "short"),
            ("API requests", 'sum by (instance, code) (rate(apiserver_request_total{job="kubernetes-apiserver"}[5m]))',
             "{{instance}} {{code}}", "reqps"),
            ("etcd requests", "sum by (instance) (rate(etcd_request_duration_seconds_count[5m]))", "{{instance}}",
             "reqps"),
        ]),
        _dashboard("gt-hashicorp", "HashiCorp servers", ["consul", "vault", "nomad"], [
            ("Targets up", 'up{job=~"consul|vault|nomad"}', "{{job}} {{instance}}", "short"),
            ("Raft peers (Consul)", "consul_raft_peers", "{{instance}}", "short"),
            ("Vault sealed", "vault_core_unsealed", "{{instance}}", "short"),
            ("Nomad allocations running", "nomad_client_allocations_running", "{{instance}}", "short"),
        ]),
        _dashboard("gt-storage", "Storage", ["storage"], [
            ("Filesystems used", '1 - node_filesystem_avail_bytes{fstype=~"ext[234]|xfs|btrfs|zfs"} / '
             'node_filesystem_size_bytes{fstype=~"ext[234]|xfs|btrfs|zfs"}', "{{instance}} {{mountpoint}}",
             "percentunit"),
            ("Disk I/O", "rate(node_disk_io_time_seconds_total[5m])", "{{instance}} {{device}}", "percentunit"),
            # The storage layer exports this per peer and dataset (storage/zfs/replication_metric.bash) and
            # contributes its own alert; the board only shows the age.
            ("ZFS replication age", "time() - goldentooth_zfs_replication_last_success_timestamp_seconds",
             "{{peer}} {{dataset}}", "s"),
            ("Read-only filesystems", "node_filesystem_readonly == 1", "{{instance}} {{mountpoint}}", "short"),
        ]),
    ]
    return {b.build().uid or "": b.build() for b in boards}


def dashboard_json(board: model.Dashboard) -> str:
    return JSONEncoder(sort_keys=True, indent=2).encode(board) + "\n"
