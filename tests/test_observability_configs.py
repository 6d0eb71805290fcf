"""The rendered Alertmanager and blackbox configs, checked by the real tools (Debian's amtool 0.25 and
blackbox_exporter 0.23): valid for every receiver kind, routing as intended, and secrets only as placeholders."""

import subprocess
from pathlib import Path

import pytest

from config.observability import AlertmanagerSpec, ReceiverSpec
from observability.alertmanager_config import DISCARD, SECRET_KEYS, alertmanager_config, placeholder, secrets_needed
from observability.blackbox_config import blackbox_config
from observability.prometheus_config import dump
from tests.observability_support import real_spec, tool

RECEIVERS = {
    "none": ReceiverSpec(kind="none"),
    "webhook": ReceiverSpec(kind="webhook", name="pager"),
    "email": ReceiverSpec(kind="email", email_to="ops@example.net", email_from="am@example.net",
                          smarthost="smtp.example.net:587", auth_username="am"),
}


def _write(tmp_path: Path, spec: AlertmanagerSpec) -> Path:
    text = dump(alertmanager_config(spec))
    for key in secrets_needed(spec):  # as write_file fills them on the node
        text = text.replace(placeholder(key), "https://hooks.example.net/x" if "URL" in key else "pw")
    path = tmp_path / "alertmanager.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", sorted(RECEIVERS))
def test_the_alertmanager_config_passes_amtool_check_config(kind: str, tmp_path: Path) -> None:
    amtool = tool("amtool", "prometheus-alertmanager")
    path = _write(tmp_path, AlertmanagerSpec(receiver=RECEIVERS[kind]))
    done = subprocess.run([amtool, "check-config", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_real_stacks_alertmanager_config_passes_amtool_check_config(tmp_path: Path) -> None:
    amtool = tool("amtool", "prometheus-alertmanager")
    path = _write(tmp_path, real_spec().observability.alertmanager)
    done = subprocess.run([amtool, "check-config", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("labels", "receiver"), [
    (["alertname=NodeDown", "severity=critical", "instance=allyrion"], "pager"),
    (["alertname=HighStorageUsage", "severity=warning"], "pager"),
    (["alertname=Something", "severity=info"], DISCARD),
])
def test_amtool_routes_each_severity_to_its_receiver(labels: list[str], receiver: str, tmp_path: Path) -> None:
    amtool = tool("amtool", "prometheus-alertmanager")
    path = _write(tmp_path, AlertmanagerSpec(receiver=RECEIVERS["webhook"]))
    done = subprocess.run([amtool, "config", "routes", "test", f"--config.file={path}",
                           f"--verify.receivers={receiver}", *labels], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == receiver


def test_amtool_routes_test_notices_a_wrong_receiver(tmp_path: Path) -> None:
    amtool = tool("amtool", "prometheus-alertmanager")
    path = _write(tmp_path, AlertmanagerSpec(receiver=RECEIVERS["webhook"]))
    done = subprocess.run([amtool, "config", "routes", "test", f"--config.file={path}",
                           f"--verify.receivers={DISCARD}", "severity=critical"], capture_output=True, text=True)
    assert done.returncode != 0


def test_secrets_appear_only_as_placeholders() -> None:
    for kind, receiver in RECEIVERS.items():
        spec = AlertmanagerSpec(receiver=receiver)
        text = dump(alertmanager_config(spec))
        for key in secrets_needed(spec):
            assert placeholder(key) in text, kind
            assert key in SECRET_KEYS
    assert secrets_needed(AlertmanagerSpec(receiver=RECEIVERS["none"])) == ()


def test_the_blackbox_config_passes_blackbox_exporter_config_check(tmp_path: Path) -> None:
    blackbox = tool("prometheus-blackbox-exporter", "prometheus-blackbox-exporter")
    path = tmp_path / "blackbox.yml"
    path.write_text(dump(blackbox_config()), encoding="utf-8")
    done = subprocess.run([blackbox, "--config.check", f"--config.file={path}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_probe_module_the_scrape_config_names_exists() -> None:
    from observability.prometheus_config import prometheus_config
    from tests.observability_support import merged

    spec = real_spec()
    modules = {m for j in prometheus_config(spec, merged(spec))["scrape_configs"]
               for m in j.get("params", {}).get("module", [])}
    assert modules and modules <= set(blackbox_config()["modules"])
