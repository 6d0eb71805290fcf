"""The textfile probes, run for real against a sysfs tree and a vcgencmd the test provides, and their output
checked by promtool's exposition-format linter (`promtool check metrics`): the right flags from the
throttled bitmask, the fan of a Pi 5, certificate expiry and lifetime in seconds, atomic files only."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from observability.component import CERT_PROBE, NODE_PROBE
from tests.observability_support import tool


def _values(text: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^(\S+) (\S+)$", text, re.MULTILINE)}


def _lint(promtool: str, text: str) -> None:
    done = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _sysfs(root: Path, millicelsius: int, fan: str | None) -> Path:
    (root / "class/thermal/thermal_zone0").mkdir(parents=True)
    (root / "class/thermal/thermal_zone0/temp").write_text(f"{millicelsius}\n")
    (root / "devices/system/cpu/cpu0/cpufreq").mkdir(parents=True)
    (root / "devices/system/cpu/cpu0/cpufreq/scaling_cur_freq").write_text("1500000\n")
    (root / "class/thermal/cooling_device0").mkdir(parents=True)
    (root / "class/thermal/cooling_device0/type").write_text("Processor\n")
    if fan is not None:
        device = root / "class/thermal/cooling_device1"
        device.mkdir()
        (device / "type").write_text(f"{fan}\n")
        (device / "cur_state").write_text("2\n")
        (device / "max_state").write_text("4\n")
    return root


def test_the_node_probe_reports_temperature_throttle_bits_frequency_fan_and_journal(tmp_path: Path) -> None:
    promtool = tool("promtool", "prometheus")
    vcgencmd = tmp_path / "vcgencmd"
    vcgencmd.write_text("#!/bin/sh\necho throttled=0x50005\n")  # bits 0, 2, 16, 18
    vcgencmd.chmod(0o755)
    journal = tmp_path / "journal"
    journal.mkdir()
    (journal / "system.journal").write_bytes(b"x" * 4096)
    out = tmp_path / "textfile"
    out.mkdir()
    subprocess.run(["bash", str(NODE_PROBE.path)], check=True, env={
        **os.environ, "GT_TEXTFILE_DIR": str(out), "GT_SYSFS": str(_sysfs(tmp_path / "sys", 61_500, "pwm-fan")),
        "GT_VCGENCMD": str(vcgencmd), "GT_JOURNAL_DIR": str(journal)})
    assert [p.name for p in out.iterdir()] == ["node-probe.prom"], "no temporary file is left behind"
    text = (out / "node-probe.prom").read_text()
    _lint(promtool, text)
    values = _values(text)
    assert values["goldentooth_soc_temperature_celsius"] == 61.5
    flags = {k.split('"')[1]: v for k, v in values.items() if k.startswith("goldentooth_pi_throttle_flag")}
    assert {k for k, v in flags.items() if v == 1} == {"under_voltage_now", "throttled_now", "under_voltage_occurred",
                                                      "throttled_occurred"}
    assert len(flags) == 8
    assert values["goldentooth_cpu_frequency_hertz"] == 1_500_000_000
    assert values["goldentooth_fan_state"] == 2 and values["goldentooth_fan_max_state"] == 4
    assert values["goldentooth_journal_disk_bytes"] >= 4096


def test_the_node_probe_on_a_machine_without_pi_hardware_still_reports_its_run(tmp_path: Path) -> None:
    promtool = tool("promtool", "prometheus")
    out = tmp_path / "textfile"
    out.mkdir()
    subprocess.run(["bash", str(NODE_PROBE.path)], check=True, env={
        **os.environ, "GT_TEXTFILE_DIR": str(out), "GT_SYSFS": str(tmp_path / "empty"),
        "GT_VCGENCMD": str(tmp_path / "missing"), "GT_JOURNAL_DIR": str(tmp_path / "missing")})
    text = (out / "node-probe.prom").read_text()
    _lint(promtool, text)
    assert set(_values(text)) == {'goldentooth_probe_last_run_timestamp_seconds{probe="node"}'}


def test_the_certificate_probe_reports_expiry_and_lifetime_and_flags_unreadable_files(tmp_path: Path) -> None:
    promtool = tool("promtool", "prometheus")
    if subprocess.run(["which", "openssl"], capture_output=True).returncode != 0:
        pytest.skip("needs openssl")
    cert = tmp_path / "tls.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "1", "-subj", "/CN=t", "-keyout", str(tmp_path / "k"), "-out", str(cert)],
                   check=True, capture_output=True)
    listing = tmp_path / "list"
    listing.write_text(f"# id path\ngrafana {cert}\nloki {tmp_path / 'missing.crt'}\n")
    out = tmp_path / "textfile"
    out.mkdir()
    subprocess.run(["bash", str(CERT_PROBE.path)], check=True,
                   env={**os.environ, "GT_TEXTFILE_DIR": str(out), "GT_CERT_LIST": str(listing)})
    text = (out / "cert-expiry.prom").read_text()
    _lint(promtool, text)
    values = _values(text)
    labels = f'certificate="grafana",path="{cert}"'
    assert values[f"goldentooth_certificate_lifetime_seconds{{{labels}}}"] == 86400
    assert values[f"goldentooth_certificate_readable{{{labels}}}"] == 1
    assert values[f'goldentooth_certificate_readable{{certificate="loki",path="{tmp_path / "missing.crt"}"}}'] == 0
    expiry = values[f"goldentooth_certificate_expiry_timestamp_seconds{{{labels}}}"]
    assert 0 < expiry - values['goldentooth_probe_last_run_timestamp_seconds{probe="cert-expiry"}'] <= 86400
