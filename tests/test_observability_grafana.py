"""Grafana's provisioning, checked against typed models: every dashboard decodes back into the
grafana-foundation-sdk's Dashboard model, every panel query is PromQL that Prometheus' own parser accepts
(promtool check rules on a recording rule per query), and the datasources are the ones the panels name.
There is no Grafana binary here (AGPL, none packaged), so Grafana itself never loads these files in a test."""

import configparser
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from grafana_foundation_sdk.models import dashboard as model

from components.script import render
from observability.dashboards import LOKI_UID, PROMETHEUS_UID, dashboard_json, dashboards
from observability.grafana import dashboard_provider, datasources, grafana_ini
from observability.logs import GRAFANA_STORAGE
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


def test_grafana_state_on_a_tmpfs_moves_to_disk_and_the_fstab_entry_goes(tmp_path: Path) -> None:
    """G26 adoption, for real: in a private mount namespace, a tmpfs holding grafana.db is mounted on the data
    directory and an fstab (the step's GT_FSTAB) lists it; the step's script keeps the database on disk,
    unmounts the tmpfs, drops only that fstab line and retires the Ansible era's provisioning file."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("needs root and unshare (util-linux)")
        pytest.skip("needs root and unshare")
    data, stale = tmp_path / "grafana", tmp_path / "all.yml"
    data.mkdir()
    stale.write_text("apiVersion: 1\n")
    fstab = tmp_path / "fstab"
    fstab.write_text(f"proc /proc proc defaults 0 0\ntmpfs {data} tmpfs size=100M,mode=0755 0 0\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "systemctl").chmod(0o755)
    script = tmp_path / "step.sh"
    script.write_text(render(GRAFANA_STORAGE, {"GT_DATA_DIR": str(data), "GT_OWNER": "root", "GT_FSTAB": str(fstab),
                                                "GT_RETIRE": str(stale)}, "test/grafana-storage"))
    inner = (f"mount --make-rprivate / && mount -t tmpfs tmpfs {data} && echo db > {data}/grafana.db && "
             f"PATH={bin_dir}:$PATH bash {script} && "
             f"! findmnt --mountpoint {data} >/dev/null && cat {data}/grafana.db && "
             f"PATH={bin_dir}:$PATH bash {script}")
    done = subprocess.run(["unshare", "-m", "bash", "-c", inner], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    first, _, second = done.stdout.partition("db\n")
    assert f"changed: moved {data} from tmpfs to disk" in first
    assert "changed: dropped the tmpfs entry" in first and f"removed {stale}" in first
    assert "changed:" not in second, "a second run changes nothing"
    assert (data / "grafana.db").read_text() == "db\n"
    assert fstab.read_text() == "proc /proc proc defaults 0 0\n"
    assert not stale.exists()
