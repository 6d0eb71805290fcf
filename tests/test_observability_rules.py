"""The rendered Prometheus config and alert rules, checked by the real promtool (Debian's 2.42): the config
and rule files are valid, and every alert rule fires in one `promtool test rules` case and stays quiet in
another (tests/observability_rule_cases.py)."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.contributions import AlertRule, AlertRuleGroup, Contributions, ScrapeTarget
from observability.alert_rules import rule_groups
from observability.prometheus_config import ScrapeConfigError, dump, prometheus_config, rule_files
from tests.observability_rule_cases import Case, cases
from tests.observability_support import merged, real_spec, tool

_LABEL_REF = re.compile(r"\{\{ \$labels\.([a-zA-Z_][a-zA-Z0-9_]*) \}\}")


def _groups() -> tuple[AlertRuleGroup, ...]:
    spec = real_spec()
    m = merged(spec)
    return rule_groups(spec, m.alert_rules, m.quorum_checks)


def _write_rules(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, document in rule_files(_groups()).items():
        path = directory / name
        path.write_text(dump(document), encoding="utf-8")
        paths.append(path)
    return paths


def _rules_by_name() -> dict[str, AlertRule]:
    return {r.alert: r for g in _groups() for r in g.rules}


def _expand(text: str, labels: dict[str, str]) -> str:
    return _LABEL_REF.sub(lambda m: labels.get(m.group(1), ""), text)


def _test_entry(case: Case, rule: AlertRule) -> dict[str, Any]:
    expected: list[dict[str, Any]] = []
    if case.fires:
        labels = {**case.labels, "severity": rule.severity}
        expected.append({"exp_labels": labels, "exp_annotations": {
            k: _expand(v, labels) for k, v in (("summary", rule.summary), ("description", rule.description)) if v}})
    return {
        "name": f"{case.alert} {'fires' if case.fires else 'stays quiet'}",
        "interval": "1m",
        "input_series": [{"series": s, "values": v} for s, v in case.series],
        "alert_rule_test": [{"eval_time": case.eval_time, "alertname": case.alert, "exp_alerts": expected}],
    }


def _quorum_alerts() -> dict[str, tuple[str, ...]]:
    """Each rendered quorum alert and its members (from the rule's own selector)."""
    found = {}
    for name, rule in _rules_by_name().items():
        if name.startswith("QuorumMemberLost"):
            found[name] = tuple(rule.expr.split('instance=~"', 1)[1].split('"', 1)[0].split("|"))
    return found


def test_the_rendered_prometheus_config_passes_promtool_check_config(tmp_path: Path) -> None:
    promtool = tool("promtool", "prometheus")
    spec = real_spec()
    config = tmp_path / "prometheus.yml"
    config.write_text(dump(prometheus_config(spec, merged(spec))), encoding="utf-8")
    done = subprocess.run([promtool, "check", "config", "--syntax-only", str(config)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_rendered_rule_files_pass_promtool_check_rules(tmp_path: Path) -> None:
    promtool = tool("promtool", "prometheus")
    paths = _write_rules(tmp_path / "rules")
    done = subprocess.run([promtool, "check", "rules", *map(str, paths)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(_rules_by_name()) >= 30


def test_every_alert_rule_has_a_firing_and_a_quiet_case() -> None:
    spec = real_spec()
    all_cases = cases(spec.observability.thresholds, _quorum_alerts())
    fired = {c.alert for c in all_cases if c.fires}
    quiet = {c.alert for c in all_cases if not c.fires}
    names = set(_rules_by_name())
    assert names - fired == set(), "alerts without a case that makes them fire"
    assert names - quiet == set(), "alerts without a case that keeps them quiet"
    assert (fired | quiet) - names == set(), "cases for alerts the program does not render"


def test_every_alert_rule_case_passes_promtool_test_rules(tmp_path: Path) -> None:
    promtool = tool("promtool", "prometheus")
    spec = real_spec()
    paths = _write_rules(tmp_path / "rules")
    rules = _rules_by_name()
    tests = [_test_entry(c, rules[c.alert]) for c in cases(spec.observability.thresholds, _quorum_alerts())]
    suite = tmp_path / "tests.yml"
    suite.write_text(yaml.safe_dump({"rule_files": [str(p) for p in paths], "evaluation_interval": "1m",
                                     "tests": tests}, sort_keys=False), encoding="utf-8")
    done = subprocess.run([promtool, "test", "rules", str(suite)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_promtool_test_rules_catches_a_case_that_expects_the_wrong_outcome(tmp_path: Path) -> None:
    """The harness itself: flip one quiet case to 'fires' and promtool must fail."""
    promtool = tool("promtool", "prometheus")
    spec = real_spec()
    paths = _write_rules(tmp_path / "rules")
    rules = _rules_by_name()
    quiet = next(c for c in cases(spec.observability.thresholds, _quorum_alerts()) if c.alert == "SoCTemperatureHigh"
                 and not c.fires)
    flipped = Case(quiet.alert, quiet.series, quiet.eval_time, True, {"instance": "allyrion", "job": "node",
                                                                        "node": "allyrion"})
    suite = tmp_path / "tests.yml"
    suite.write_text(yaml.safe_dump({"rule_files": [str(p) for p in paths], "evaluation_interval": "1m",
                                     "tests": [_test_entry(flipped, rules[flipped.alert])]}), encoding="utf-8")
    done = subprocess.run([promtool, "test", "rules", str(suite)], capture_output=True, text=True)
    assert done.returncode != 0


def test_every_quorum_of_the_role_matrix_has_a_member_lost_rule() -> None:
    assert set(_quorum_alerts()) == {"QuorumMemberLostEtcd", "QuorumMemberLostConsul", "QuorumMemberLostVault",
                                     "QuorumMemberLostNomad", "QuorumMemberLostSeaweedfsMaster"}
    assert _quorum_alerts()["QuorumMemberLostEtcd"] == ("bettley", "cargyll", "dalt")


def test_node_exporter_job_is_named_node_everywhere_and_instances_are_node_names() -> None:
    """G16/G17: NodeDown's job matches the scrape job; `instance` is the node name, set as a target label."""
    spec = real_spec()
    config = prometheus_config(spec, merged(spec))
    node_job = next(j for j in config["scrape_configs"] if j["job_name"] == "node")
    instances = sorted(g["labels"]["instance"] for g in node_job["static_configs"])
    assert instances == sorted(n.name for n in spec.nodes)
    assert 'up{job="node"}' in _rules_by_name()["NodeDown"].expr


def test_probe_jobs_keep_their_job_label_and_go_through_blackbox() -> None:
    """G18: a probe target never sets `job`; each module is its own job named blackbox-*."""
    spec = real_spec()
    config = prometheus_config(spec, merged(spec))
    probes = [j for j in config["scrape_configs"] if j["metrics_path"] == "/probe"]
    assert {j["job_name"] for j in probes} >= {"blackbox-routes", "blackbox-backends", "blackbox-step-ca"}
    blackbox = f"{spec.node(spec.roles.prometheus).ip}:9115"
    for job in probes:
        assert job["job_name"].startswith("blackbox-")
        assert all("job" not in g["labels"] for g in job["static_configs"])
        assert job["relabel_configs"][-1] == {"target_label": "__address__", "replacement": blackbox}
    routes = next(j for j in probes if j["job_name"] == "blackbox-routes")
    targets = {t for g in routes["static_configs"] for t in g["targets"]}
    assert "https://grafana.services.goldentooth.net/api/health" in targets


def test_tls_endpoints_are_scraped_over_https_with_the_cluster_ca() -> None:
    """G20: Loki, Grafana and the API servers serve TLS, so their jobs use https and a CA file."""
    spec = real_spec()
    jobs = {j["job_name"]: j for j in prometheus_config(spec, merged(spec))["scrape_configs"]}
    for name in ("loki", "grafana", "kubernetes-apiserver"):
        assert jobs[name]["scheme"] == "https"
        assert jobs[name]["tls_config"]["ca_file"]
    assert jobs["kubernetes-apiserver"]["authorization"]["credentials_file"]


def test_a_job_contributed_twice_is_refused() -> None:
    spec = real_spec()
    twice = merged(spec) + Contributions(scrape_targets=(ScrapeTarget("node", (("allyrion", "10.4.0.10:1"),)),))
    with pytest.raises(ScrapeConfigError, match="node"):
        prometheus_config(spec, twice)


def test_an_alert_defined_twice_is_refused() -> None:
    rule = AlertRule("NodeDown", "up == 0")
    with pytest.raises(ScrapeConfigError, match="NodeDown"):
        rule_files((AlertRuleGroup("a", (rule,)), AlertRuleGroup("b", (rule,))))
