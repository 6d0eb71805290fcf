"""Grafana's provisioning, checked against typed models: every dashboard decodes back into the
grafana-foundation-sdk's Dashboard model, every panel query is PromQL that Prometheus' own parser accepts
(promtool check rules on a recording rule per query), and the datasources are the ones the panels name.
There is no Grafana binary here (AGPL, none packaged), so Grafana itself never loads these files in a test."""

import configparser
import json
import subprocess
from pathlib import Path

import yaml
from grafana_foundation_sdk.models import dashboard as model

from observability.dashboards import LOKI_UID, PROMETHEUS_UID, dashboard_json, dashboards
from observability.grafana import dashboard_provider, datasources, grafana_ini
from tests.observability_support import real_spec, tool


def test_every_dashboard_round_trips_through_the_sdk_model() -> None:
    boards = dashboards()
    assert set(boards) == {"gt-nodes", "gt-haproxy", "gt-kubernetes", "gt-hashicorp", "gt-storage"}
    for uid, board in boards.items():
        text = dashboard_json(board)
        decoded = model.Dashboard.from_json(json.loads(text))
        assert decoded.uid == uid and decoded.title
        assert dashboard_json(decoded) == text, uid
        assert decoded.panels, uid


def test_every_panel_query_is_valid_promql(tmp_path: Path) -> None:
    promtool = tool("promtool", "prometheus")
    rules = []
    for uid, board in dashboards().items():
        for index, panel in enumerate(json.loads(dashboard_json(board))["panels"]):
            assert panel["datasource"]["uid"] == PROMETHEUS_UID
            for target in panel["targets"]:
                rules.append({"record": f"lab:{uid.replace('-', '_')}:{index}", "expr": target["expr"]})
    path = tmp_path / "queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}), encoding="utf-8")
    done = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_datasources_provide_what_the_dashboards_name_and_loki_is_one_of_them() -> None:
    sources = datasources(real_spec())["datasources"]
    assert {s["uid"] for s in sources} == {PROMETHEUS_UID, LOKI_UID}
    loki = next(s for s in sources if s["uid"] == LOKI_UID)
    assert loki["url"].startswith("https://")
    assert dashboard_provider()["providers"][0]["options"]["path"] == "/etc/grafana/dashboards"


def test_grafana_ini_serves_tls_from_a_persistent_data_dir_and_holds_secrets_only_as_placeholders() -> None:
    spec = real_spec()
    ini = configparser.ConfigParser(interpolation=None)
    ini.read_string(grafana_ini(spec))
    assert ini["server"]["protocol"] == "https"
    assert ini["paths"]["data"] == "/var/lib/grafana"
    assert ini["security"]["admin_password"] == "{{secret:GRAFANA_ADMIN_PASSWORD}}"
    assert "auth.generic_oauth" not in ini  # OIDC is off in the real stack
    oidc = spec.model_copy(update={"observability": spec.observability.model_copy(
        update={"grafana": spec.observability.grafana.model_copy(update={"oidc": True})})})
    ini.read_string(grafana_ini(oidc))
    assert ini["auth.generic_oauth"]["client_secret"] == "{{secret:GRAFANA_OIDC_CLIENT_SECRET}}"
