"""prometheus.yml and the rule files, built from the merged contributions of every layer.

Each endpoint gets `instance` = its node's name (set as a target label, so nothing is left for a relabel
rule to strip: G17) and `node` = the same name. Probe jobs (a `ScrapeTarget` with `probe_module`, and one
probe per HAProxy route and per route backend) are scraped through the blackbox exporter, each as its own
job named `blackbox-*`, so no target overrides its job label (G18). The output is valid for Prometheus 2.42
(Debian) and 3.x (the pinned release): no field or flag that only one of them knows."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from components.contributions import AlertRuleGroup, Contributions, HttpRoute, ScrapeTarget, TlsClient
from config.spec import ClusterSpec
from observability import paths as p


class ScrapeConfigError(ValueError):
    """Contributions that cannot become one valid Prometheus config (a job name used twice, say)."""


@dataclass(frozen=True)
class _Group:
    targets: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]


@dataclass
class _Job:
    name: str
    groups: list[_Group] = field(default_factory=list)
    scheme: str = "http"
    metrics_path: str = "/metrics"
    params: tuple[tuple[str, tuple[str, ...]], ...] = ()
    tls: TlsClient | None = None
    bearer_token_file: str | None = None
    interval: str | None = None
    probe_module: str | None = None


def _exporter_job(target: ScrapeTarget) -> _Job:
    per_node: dict[str, int] = {}
    for node, _ in target.endpoints:
        per_node[node] = per_node.get(node, 0) + 1
    groups = []
    for node, address in sorted(target.endpoints):
        # Two endpoints of one job on one node keep their port in `instance`, so series never collide.
        instance = node if per_node[node] == 1 else f"{node}:{address.rsplit(':', 1)[-1]}"
        groups.append(_Group((address,), (("instance", instance), ("node", node))))
    return _Job(target.job, groups, target.scheme, target.metrics_path, target.params, target.tls,
                target.bearer_token_file, target.interval)


def _probe_job(target: ScrapeTarget) -> _Job:
    if not target.job.startswith("blackbox-"):
        raise ScrapeConfigError(f"probe job {target.job!r} must be named blackbox-* (the probe alerts match that)")
    groups = [_Group((url,), (("node", node),)) for node, url in sorted(target.endpoints)]
    return _Job(target.job, groups, metrics_path="/probe", interval=target.interval, probe_module=target.probe_module)


def route_probes(routes: Sequence[HttpRoute]) -> tuple[_Job, ...]:
    """Every HAProxy route through its hostname, and every backend server directly: plain HTTP backends on their
    health path, TLS backends (whose certificates name the service, not the address) by a TCP connect."""
    front = _Job("blackbox-routes", metrics_path="/probe", probe_module="https_internal")
    plain = _Job("blackbox-backends", metrics_path="/probe", probe_module="http_2xx")
    tcp = _Job("blackbox-backends-tcp", metrics_path="/probe", probe_module="tcp_connect")
    for route in sorted(routes, key=lambda r: r.name):
        front.groups.append(_Group((f"https://{route.hostname}{route.check_path or '/'}",), (("route", route.name),)))
        for server in route.servers:
            labels = (("route", route.name), ("server", server.name))
            if not route.tls and route.check_path is not None:
                plain.groups.append(_Group((f"http://{server.address}:{server.port}{route.check_path}",), labels))
            else:
                tcp.groups.append(_Group((f"{server.address}:{server.port}",), labels))
    return tuple(job for job in (front, plain, tcp) if job.groups)


def _tls(tls: TlsClient) -> dict[str, str]:
    out = {"ca_file": tls.ca_file}
    if tls.cert_file is not None:
        out["cert_file"] = tls.cert_file
    if tls.key_file is not None:
        out["key_file"] = tls.key_file
    if tls.server_name is not None:
        out["server_name"] = tls.server_name
    return out


def _render_job(job: _Job, blackbox: str) -> dict[str, Any]:
    out: dict[str, Any] = {"job_name": job.name}
    if job.interval is not None:
        out["scrape_interval"] = job.interval
    out["scheme"] = job.scheme
    out["metrics_path"] = job.metrics_path
    params = dict(job.params)
    if job.probe_module is not None:
        params["module"] = (job.probe_module,)
    if params:
        out["params"] = {k: list(v) for k, v in sorted(params.items())}
    if job.tls is not None:
        out["tls_config"] = _tls(job.tls)
    if job.bearer_token_file is not None:
        out["authorization"] = {"type": "Bearer", "credentials_file": job.bearer_token_file}
    out["static_configs"] = [{"targets": list(g.targets), "labels": dict(g.labels)} for g in job.groups]
    if job.probe_module is not None:
        out["relabel_configs"] = [
            {"source_labels": ["__address__"], "target_label": "__param_target"},
            {"source_labels": ["__param_target"], "target_label": "instance"},
            {"target_label": "__address__", "replacement": blackbox},
        ]
    return out


def jobs(spec: ClusterSpec, merged: Contributions) -> list[_Job]:
    found = [(_probe_job(t) if t.probe_module is not None else _exporter_job(t)) for t in merged.scrape_targets]
    found += route_probes(merged.http_routes)
    names = [j.name for j in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ScrapeConfigError(f"scrape jobs {', '.join(twice)} are contributed more than once")
    return sorted(found, key=lambda j: j.name)


def prometheus_config(spec: ClusterSpec, merged: Contributions) -> dict[str, Any]:
    prom = spec.observability.prometheus
    node = spec.node(spec.roles.prometheus)
    blackbox = f"{node.ip}:{p.BLACKBOX_PORT}"
    return {
        "global": {
            "scrape_interval": prom.scrape_interval,
            "scrape_timeout": prom.scrape_timeout,
            "evaluation_interval": prom.evaluation_interval,
            "external_labels": dict(sorted(prom.external_labels.items())),
        },
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"{node.ip}:{p.ALERTMANAGER_PORT}"]}]}]},
        "rule_files": [f"{p.PROMETHEUS_RULES_DIR}/*.yml"],
        "scrape_configs": [_render_job(j, blackbox) for j in jobs(spec, merged)],
    }


def _rule(rule: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"alert": rule.alert, "expr": rule.expr}
    if rule.for_ not in ("0m", "0s", ""):
        out["for"] = rule.for_
    out["labels"] = {"severity": rule.severity}
    annotations = {k: v for k, v in (("summary", rule.summary), ("description", rule.description)) if v}
    if annotations:
        out["annotations"] = annotations
    return out


def rule_files(groups: Sequence[AlertRuleGroup]) -> dict[str, dict[str, Any]]:
    """File name (in the rules directory) -> content: one file per group, so a layer's edit touches one file."""
    names = [g.name for g in groups]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ScrapeConfigError(f"alert rule groups {', '.join(twice)} are contributed more than once")
    alerts = [r.alert for g in groups for r in g.rules]
    twice = sorted({a for a in alerts if alerts.count(a) > 1})
    if twice:
        raise ScrapeConfigError(f"alerts {', '.join(twice)} are defined more than once")
    return {f"{g.name}.yml": {"groups": [{"name": g.name, "rules": [_rule(r) for r in g.rules]}]}
            for g in sorted(groups, key=lambda g: g.name)}


def dump(document: Mapping[str, Any]) -> str:
    return "# Generated by goldentooth (observability/); edits are overwritten.\n" + yaml.safe_dump(
        dict(document), sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)
