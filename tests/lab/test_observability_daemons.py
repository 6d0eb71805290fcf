"""Lab: the real Prometheus, Alertmanager, node_exporter and blackbox exporter (Debian's binaries), started with
the command lines of the rendered units and the rendered configuration, in network namespaces at the inventory
addresses of the Prometheus node and a second Pi. Every generated target on a lab host is `up`; the probes of
lab-host backends succeed; and the second Pi, whose textfile probe (the real probes/node-probe.sh, reading a
sysfs tree the test writes) reports an over-temperature SoC, makes SoCTemperatureCritical fire in Prometheus
and reach Alertmanager, which notifies its receiver (a webhook listener on the Prometheus node).

What the lab changes, and why: file paths move under a temporary directory (nothing is written to this
machine's /etc or /var), the TLS files the configs name are generated there with openssl, and the scrape and
evaluation intervals and each rule's `for:` become seconds so the test takes under a minute. HAProxy runs from
its rendered core config (for its metrics endpoint, as in its own lab). Vector cannot run here (no binary,
tests/lab/README.md), so its targets are the only lab-host targets not asserted up. Needs root and `ip`;
skipped otherwise, except under CI=true."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cluster.registry import collect_contributions
from edge.component import CORE_PATH
from edge.config import STATS_PASSWORD_ENV
from edge.contributions import contributions as edge_contributions
from observability import paths as p
from observability import units as u
from observability.alertmanager_config import WEBHOOK_SECRET, alertmanager_config, placeholder
from observability.contributions import contributions as observability_contributions
from observability.prometheus_config import dump
from offline.evaluate import Evaluation
from tests.lab.test_haproxy_failover import Lab, _wait_for_port, lab

pytestmark = pytest.mark.lab

HOT_NODE = "karstark"
UNSCRAPED_HERE = {"vector"}  # see the module docstring
BINARIES = ("haproxy", "prometheus", "prometheus-alertmanager", "prometheus-node-exporter", "prometheus-blackbox-exporter")

HOOK = r'''
import http.server, sys
address, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(log, "ab") as f:
            f.write(body + b"\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        """Quiet: the test reads the bodies from its own log."""
http.server.HTTPServer((address, port), Hook).serve_forever()
'''
HOOK_PORT = 9999

QUERY = r'''
import json, sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())
'''


def _prerequisites() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create network namespaces"
    for tool in ("ip", "openssl", *BINARIES):
        if shutil.which(tool) is None:
            return f"needs {tool}"
    return None


def _file(ev: Evaluation, node: str, path: str) -> str:
    return next(f.content for f in ev.files if f.node == node and f.path == path)


def _exec_start(unit_text: str) -> list[str]:
    line = next(x for x in unit_text.splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def _relocate(text: str, tmp: Path) -> str:
    """Absolute paths of the node become paths under the lab's directory."""
    for prefix in ("/etc/prometheus", "/etc/ssl/certs", "/var/lib/prometheus", "/var/lib/alertmanager",
                   "/var/lib/node_exporter"):
        text = text.replace(prefix, f"{tmp}/root{prefix}")
    return text


def _quick(text: str) -> str:
    text = re.sub(r"scrape_interval: \S+", "scrape_interval: 2s", text)
    text = re.sub(r"scrape_timeout: \S+", "scrape_timeout: 1s", text)
    text = re.sub(r"evaluation_interval: \S+", "evaluation_interval: 1s", text)
    text = re.sub(r"^(\s+)for: \S+$", r"\1for: 3s", text, flags=re.MULTILINE)
    return re.sub(r"group_wait: \S+", "group_wait: 1s", text)


def _certificates(tmp: Path) -> None:
    """A CA at the root CA's path and client certificates where Prometheus and blackbox look for theirs."""
    root = tmp / "root"
    ca_key, ca = root / "ca.key", root / "etc/ssl/certs/goldentooth.pem"
    ca.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "1", "-subj", "/CN=lab root", "-keyout", str(ca_key), "-out", str(ca)],
                   check=True, capture_output=True)
    for crt, key in ((p.PROMETHEUS_CLIENT_CERT, p.PROMETHEUS_CLIENT_KEY),):
        c, k = Path(_relocate(crt, tmp)), Path(_relocate(key, tmp))
        c.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "1", "-subj", "/CN=lab client", "-keyout", str(k), "-out", str(c)],
                       check=True, capture_output=True)


def _sysfs(tmp: Path, node: str, millicelsius: int) -> Path:
    sysfs = tmp / f"sys-{node}"
    (sysfs / "class/thermal/thermal_zone0").mkdir(parents=True)
    (sysfs / "class/thermal/thermal_zone0/temp").write_text(f"{millicelsius}\n")
    (sysfs / "devices/system/cpu/cpu0/cpufreq").mkdir(parents=True)
    (sysfs / "devices/system/cpu/cpu0/cpufreq/scaling_cur_freq").write_text("1800000\n")
    return sysfs


def _get(net: Lab, host: str, script: Path, url: str) -> Any:
    return json.loads(net.run(host, sys.executable, str(script), url))


def _wait(what: str, check: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(1)
    raise AssertionError(f"{what} within {timeout:.0f}s; last: {last}")


def test_real_daemons_scrape_every_lab_target_and_a_hot_soc_reaches_alertmanager(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    reason = _prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the observability lab cannot run under CI: {reason}")
        pytest.skip(reason)
    ev, spec = real_evaluation, real_evaluation.spec
    prom = spec.roles.prometheus
    hosts = {n: str(spec.node(n).ip) for n in (prom, HOT_NODE, spec.roles.haproxy)}
    _certificates(tmp_path)
    for path in (p.PROMETHEUS_CONFIG, p.ALERTMANAGER_CONFIG, p.BLACKBOX_CONFIG,
                 *(f.path for f in ev.files if f.node == prom and f.path.startswith(p.PROMETHEUS_RULES_DIR))):
        target = Path(_relocate(path, tmp_path))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_quick(_relocate(_file(ev, prom, path), tmp_path)), encoding="utf-8")
    # Alertmanager: the same renderer and settings as the real stack, with a webhook receiver (its URL filled
    # in as write_file fills the secret on a node), so a notification can be seen arriving.
    am = spec.observability.alertmanager
    webhook = am.model_copy(update={"receiver": am.receiver.model_copy(update={"kind": "webhook"})})
    hook_log = tmp_path / "hook.log"
    Path(_relocate(p.ALERTMANAGER_CONFIG, tmp_path)).write_text(_quick(dump(alertmanager_config(webhook)).replace(
        placeholder(WEBHOOK_SECRET), f"http://{spec.node(prom).ip}:{HOOK_PORT}/hook")), encoding="utf-8")
    for directory in (p.PROMETHEUS_DATA, p.ALERTMANAGER_DATA):
        Path(_relocate(directory, tmp_path)).mkdir(parents=True, exist_ok=True)
    query = tmp_path / "query.py"
    query.write_text(QUERY)
    (tmp_path / "hook.py").write_text(HOOK)
    hook_log.touch()

    with lab(spec.network.nodes.prefixlen) as net:
        net.up(hosts)
        for node in hosts:
            millicelsius = 86_000 if node == HOT_NODE else 48_000
            # Each host's own textfile directory, filled by the real probe script run as its timer would.
            textfile = tmp_path / f"textfile-{node}"
            textfile.mkdir()
            probe = tmp_path / f"node-probe-{node}.sh"
            probe.write_text(_file(ev, node, f"{p.PROBE_DIR}/node-probe.sh"))
            subprocess.run(["bash", str(probe)], check=True, env={
                **os.environ, "GT_TEXTFILE_DIR": str(textfile), "GT_SYSFS": str(_sysfs(tmp_path, node, millicelsius)),
                "GT_VCGENCMD": "/nonexistent/vcgencmd", "GT_JOURNAL_DIR": str(tmp_path / "no-journal")})
            command = [a.replace(p.TEXTFILE_DIR, str(textfile))
                       for a in _exec_start(_file(ev, node, f"/etc/systemd/system/{u.NODE_EXPORTER_UNIT}"))]
            net.start(node, *command)
            _wait_for_port(net, node, hosts[node], p.NODE_EXPORTER_PORT)
        net.start(prom, sys.executable, str(tmp_path / "hook.py"), hosts[prom], str(HOOK_PORT), str(hook_log))
        core = tmp_path / "haproxy-core.cfg"
        core.write_text(_file(ev, spec.roles.haproxy, CORE_PATH).replace("/run/haproxy/admin.sock",
                                                                         str(tmp_path / "admin.sock")))
        net.start(spec.roles.haproxy, "haproxy", "-db", "-f", str(core),
                  env={**os.environ, STATS_PASSWORD_ENV: "lab-only-password"})
        for unit in (u.BLACKBOX_UNIT, u.ALERTMANAGER_UNIT, u.PROMETHEUS_UNIT):
            command = _exec_start(_relocate(_file(ev, prom, f"/etc/systemd/system/{unit}"), tmp_path))
            command[0] = shutil.which(Path(command[0]).name) or command[0]  # Debian's binary, whatever the flavour
            net.start(prom, *command)
        for port in (p.BLACKBOX_PORT, p.ALERTMANAGER_PORT, p.PROMETHEUS_PORT):
            _wait_for_port(net, prom, hosts[prom], port)
        api = f"http://{hosts[prom]}:{p.PROMETHEUS_PORT}/api/v1"
        lab_addresses = set(hosts.values())
        # Jobs of layers whose daemons this lab does not run (Ray, Consul, ...): their own labs prove them.
        ours = observability_contributions(spec) + edge_contributions(spec)
        unscraped = UNSCRAPED_HERE | ({t.job for t in collect_contributions(spec).scrape_targets}
                                      - {t.job for t in ours.scrape_targets})

        def lab_targets() -> list[dict[str, Any]]:
            active = _get(net, prom, query, f"{api}/targets?state=active")["data"]["activeTargets"]
            return [t for t in active if t["labels"]["job"] not in unscraped
                    and t["scrapeUrl"].split("/")[2].split(":")[0] in lab_addresses]

        def all_up() -> bool:
            targets = lab_targets()
            return bool(targets) and all(t["health"] == "up" for t in targets)

        try:
            _wait("every lab-host target up", all_up)
        except AssertionError:
            raise AssertionError(json.dumps([(t["scrapeUrl"], t["health"], t["lastError"]) for t in lab_targets()],
                                            indent=1)) from None
        jobs = {t["labels"]["job"] for t in lab_targets()}
        assert {"node", "prometheus", "alertmanager", "blackbox-exporter", "blackbox-routes",
                "blackbox-backends", "haproxy"} <= jobs, jobs
        nodes_up = {t["labels"]["instance"] for t in lab_targets() if t["labels"]["job"] == "node"}
        assert nodes_up == set(hosts), nodes_up

        def backend_probes() -> list[Any]:
            result = _get(net, prom, query, f'{api}/query?query=probe_success%7Bjob%3D%22blackbox-backends%22%7D')
            return [r for r in result["data"]["result"] if r["value"][1] == "1"]

        # Prometheus' and Alertmanager's own health paths are backends of their HAProxy routes, on a lab host.
        _wait("the blackbox probes of lab-host backends succeed", lambda: len(backend_probes()) >= 2)

        def firing() -> list[Any]:
            result = _get(net, prom, query, f"{api}/alerts")["data"]["alerts"]
            return [a for a in result if a["labels"]["alertname"] == "SoCTemperatureCritical"
                    and a["state"] == "firing"]

        fired = _wait("SoCTemperatureCritical firing in Prometheus", firing)
        assert {a["labels"]["instance"] for a in fired} == {HOT_NODE}

        def received() -> list[Any]:
            alerts = _get(net, prom, query, f"http://{hosts[prom]}:{p.ALERTMANAGER_PORT}/api/v2/alerts")
            return [a for a in alerts if a["labels"].get("alertname") == "SoCTemperatureCritical"]

        got = _wait("SoCTemperatureCritical received by Alertmanager", received)
        assert {a["labels"]["instance"] for a in got} == {HOT_NODE}
        assert got[0]["labels"]["severity"] == "critical"
        assert got[0]["receivers"][0]["name"] == spec.observability.alertmanager.receiver.name
        def notified() -> list[Any]:
            bodies = [json.loads(line) for line in hook_log.read_text().splitlines() if line.strip()]
            return [a for b in bodies for a in b["alerts"] if a["labels"]["alertname"] == "SoCTemperatureCritical"]

        sent = _wait("the receiver notified of SoCTemperatureCritical", notified)
        assert {a["labels"]["instance"] for a in sent} == {HOT_NODE} and sent[0]["status"] == "firing"
        cool = _get(net, prom, query, f"{api}/alerts")["data"]["alerts"]
        assert not [a for a in cool if a["labels"].get("instance") == prom
                    and a["labels"]["alertname"].startswith("SoCTemperature")], "the cool Pi must stay quiet"
