"""Lab: a first converge against hosts seeded like the live cluster breaks nothing it relies on (issue 11).

allyrion and bettley are SSH lab hosts (tests/lab/README.md) in the state the Ansible era left them:
- both: the Ansible-era `config.txt` (the Raspberry Pi OS fixture) and the operator `nathan`, whose authorized_keys
  holds a key of his own (the real stack configures none, so the program must leave it be);
- allyrion: the Ansible-era `/etc/haproxy/haproxy.cfg` (fixtures/ansible-era, rebuilt from the reference) and its
  TLS bundle, run by the real haproxy (Debian's package and unit, through the lab's systemctl);
- bettley: a kubeadm cluster CA with its key and an `admin.conf` (as in test_kubeadm_adopt).
Stand-in HTTP(S) backends listen at the backend addresses in their own namespaces on the lab's bridge (Grafana and a
homepage on gardener, Vault on erenford/fenn/gardener, Ray on erenford, Argo CD at its MetalLB address) and an API
server stand-in in bettley's. The real stack's registered steps for both nodes run over real SSH (the node layer's,
except the reboot itself and its wait, which test_node_layer and test_rollout_reboots prove; the edge layer's; the
kubeadm bootstrap's on bettley), twice, while a client in the controller namespace asks HAProxy for each route in a
loop, with Host headers and SNI. Then: no request failed, the routes answer from the new configuration, the CA is
byte-identical, nathan's key still logs in, `config.txt` changed exactly as the firmware rules say and each Pi says
it needs a reboot for that reason.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from edge.component import CONFIG_DIR
from edge.inputs import TLS_BUNDLE
from nodes.os.firmware import BEGIN, CONFIG_TXT, END
from offline.evaluate import Evaluation
from tests.lab.lab_ca import LabCa
from tests.lab.node_lab import NodeLab, node_lab, prerequisites
from tests.lab.test_kubeadm_adopt import STEPS as KUBEADM_STEPS
from tests.lab.test_kubeadm_adopt import _digests, _seed
from tests.nodes_support import COMMAND, Step, node_steps
from tests.tools import system_tool

pytestmark = pytest.mark.lab
LAB = Path(__file__).resolve().parent
ANSIBLE_HAPROXY_CFG = LAB / "fixtures/ansible-era/haproxy.cfg"
ORIGINAL_CONFIG_TXT = LAB / "fixtures/raspios-bookworm/boot/firmware/config.txt"
NODES = ("allyrion", "bettley")
SKIPPED = ("reboot", "wait-boot")  # the reboot itself: test_node_layer and test_rollout_reboots
OPERATOR = "nathan"
METALLB_ARGOCD = "10.4.11.0"  # the Argo CD LoadBalancer address both configs route to

BACKEND = r'''
import http.server, json, socketserver, ssl, sys, threading
cert, specs = sys.argv[1], sys.argv[2:]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"backend": self.server.label, "host": self.headers.get("Host")}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        """Quiet."""
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
for spec in specs:
    label, address, port, tls = spec.split(",")
    server = Server((address, int(port)), Handler)
    server.label = label
    if tls == "tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
print("listening", flush=True)
threading.Event().wait()
'''

PROBE = r'''
import http.client, json, os, ssl, sys, time
lb, out, stop, probes = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
class Sni(http.client.HTTPSConnection):
    """HTTPS to the load balancer's address with the service's name as SNI, as a browser sends it."""
    def __init__(self, address, port, sni):
        super().__init__(address, port, timeout=3, context=context)
        self.sni = sni
    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.sni or None)
with open(out, "a") as f:
    while not os.path.exists(stop):
        for name, scheme, port, host in probes:
            try:
                if scheme == "http":
                    conn = http.client.HTTPConnection(lb, port, timeout=3)
                else:
                    conn = Sni(lb, port, host)
                conn.request("GET", "/probe", headers={"Host": host} if host else {})
                response = conn.getresponse()
                body = response.read()
                answer = json.loads(body)["backend"] if response.status == 200 else f"status {response.status}"
                conn.close()
            except Exception as exc:
                answer = "error " + type(exc).__name__
            f.write(json.dumps({"t": time.time(), "probe": name, "answer": answer}) + "\n")
            f.flush()
        time.sleep(0.05)
'''

SVC = "services.goldentooth.net"
# name, scheme, port, Host/SNI, the answers that are right (before and after the converge alike)
PROBES: tuple[tuple[str, str, int, str, frozenset[str]], ...] = (
    ("grafana", "https", 443, f"grafana.{SVC}", frozenset({"gardener:3000"})),
    ("argocd", "https", 443, "argocd.services.k8s.goldentooth.net", frozenset({f"metallb:{METALLB_ARGOCD}:80"})),
    ("vault", "https", 443, f"vault.{SVC}", frozenset({"erenford:8200", "fenn:8200", "gardener:8200"})),
    ("homepage", "https", 443, "gardener.nodes.goldentooth.net", frozenset({"gardener:8090"})),
    # The Ansible era's `redirect scheme https` answers 302, the program's 301.
    ("redirect", "http", 80, f"grafana.{SVC}", frozenset({"status 301", "status 302"})),
    ("api", "https", 6443, "", frozenset({"bettley:6443", "cargyll:6443", "dalt:6443"})),
    # Routed by the new configuration only; the Ansible era's sends an unknown host to Grafana, its default.
    ("ray", "https", 443, f"ray.{SVC}", frozenset({"gardener:3000", "erenford:8265"})),
)
# (namespace label or lab host, address, [(label, port, tls)])
BACKENDS: tuple[tuple[str, str, tuple[tuple[str, int, bool], ...]], ...] = (
    ("gardener", "10.4.0.16", (("gardener:3000", 3000, True), ("gardener:8200", 8200, True),
                               ("gardener:8090", 8090, False))),
    ("erenford", "10.4.0.14", (("erenford:8200", 8200, True), ("erenford:8265", 8265, False))),
    ("fenn", "10.4.0.15", (("fenn:8200", 8200, True),)),
    ("metallb", METALLB_ARGOCD, ((f"metallb:{METALLB_ARGOCD}:80", 80, False),)),
    ("bettley", "10.4.0.11", (("bettley:6443", 6443, True),)),
    ("cargyll", "10.4.0.12", (("cargyll:6443", 6443, True),)),
    ("dalt", "10.4.0.13", (("dalt:6443", 6443, True),)),
)


def _require_lab() -> None:
    reason = prerequisites()
    for tool, package in (("haproxy", "haproxy"), ("openssl", "openssl")):
        system_tool(tool, package)
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the SSH lab, but {reason}")
        pytest.skip(reason)


def _sh(lab: NodeLab, node: str, command: str) -> str:
    done = lab.sh(node, command)
    assert done.returncode == 0, f"{node}: {command}: {done.stdout}{done.stderr}"
    return done.stdout


def _put(lab: NodeLab, node: str, path: str, content: str, mode: str = "0644", owner: str = "root") -> None:
    host = lab.hosts[node]
    target = host.root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    _sh(lab, node, f"chmod {mode} {path} && chown {owner}: {path}")


def _installed_package(work: Path, name: str, version: str) -> Path:
    """An empty .deb that makes dpkg say NAME VERSION is installed, as it is on the live allyrion."""
    root = work / f"deb-{name}"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_text(f"Package: {name}\nVersion: {version}\nArchitecture: all\n"
                                         f"Maintainer: lab\nDescription: the live node's {name}\n")
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(work / f"{name}.deb")],
                   check=True, capture_output=True)
    return work / f"{name}.deb"


def _seed_haproxy(lab: NodeLab, work: Path, bundle: str) -> None:
    host = lab.hosts["allyrion"]
    for name, version in (("haproxy", "2.6.12-1+deb12u4"), ("rsyslog", "8.2302.0-1")):
        deb = _installed_package(work, name, version)
        (host.root / "var/tmp" / deb.name).write_bytes(deb.read_bytes())
        _sh(lab, "allyrion", f"dpkg -i /var/tmp/{deb.name} >/dev/null")
    _put(lab, "allyrion", "/etc/haproxy/haproxy.cfg", ANSIBLE_HAPROXY_CFG.read_text(encoding="utf-8"))
    _sh(lab, "allyrion", "install -d -m 0700 /etc/ssl/private")
    _put(lab, "allyrion", TLS_BUNDLE, bundle, mode="0600", owner="haproxy")
    (host.root / "etc/lab-host/real-units").write_text("haproxy.service\n", encoding="utf-8")
    # The Ansible era made /var/run/haproxy (Debian's /var/run is /run); the unit starts and is enabled.
    _sh(lab, "allyrion", "{ [ -e /var/run ] || ln -s /run /var/run; } && install -d -o haproxy -g haproxy /run/haproxy"
                         " && systemctl enable haproxy && systemctl start haproxy")


def _seed_operator(lab: NodeLab, node: str, public_key: str) -> None:
    # '*': no password, but not a locked account ('!'), which the lab's sshd (UsePAM no) refuses even with a key
    _sh(lab, node, f"useradd --create-home --shell /bin/bash --password '*' {OPERATOR}")
    _sh(lab, node, f"install -d -m 0700 -o {OPERATOR} -g {OPERATOR} /home/{OPERATOR}/.ssh")
    _put(lab, node, f"/home/{OPERATOR}/.ssh/authorized_keys", public_key, mode="0600", owner=OPERATOR)


@dataclass
class Backends:
    processes: list[subprocess.Popen[str]]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _start_backends(lab: NodeLab, work: Path, cert: Path) -> Backends:
    script = work / "backend.py"
    script.write_text(BACKEND)
    started = Backends([])
    for label, address, listeners in BACKENDS:
        if label in lab.hosts:
            namespace = lab.hosts[label].namespace
        else:
            from ipaddress import IPv4Address
            namespace = lab.network.attach(label, IPv4Address(address))
        specs = [f"{name},{address},{port},{'tls' if tls else 'plain'}" for name, port, tls in listeners]
        process = subprocess.Popen(["ip", "netns", "exec", namespace, sys.executable, str(script), str(cert), *specs],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
        started.processes.append(process)
        assert process.stdout is not None and process.stdout.readline().strip() == "listening", label
    return started


@dataclass
class Probe:
    process: subprocess.Popen[str]
    out: Path
    stop_file: Path

    def answers(self, since: float = 0) -> list[dict[str, Any]]:
        lines = self.out.read_text().splitlines() if self.out.exists() else []
        return [a for a in (json.loads(line) for line in lines) if a["t"] >= since]

    def stop(self) -> None:
        self.stop_file.touch()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def _wrong(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    right = {name: ok for name, *_, ok in PROBES}
    return [a for a in answers if a["answer"] not in right[a["probe"]]]


def _steps(ev: Evaluation) -> list[Step]:
    by_node = node_steps(ev)
    steps = [s for n in NODES for name, s in sorted(by_node[n].items()) if name not in SKIPPED]
    commands = {r.name: r for r in ev.resources if r.type == COMMAND}
    steps += [Step("allyrion", r.removeprefix("allyrion-"), commands[r])
              for r in sorted(commands) if r.startswith("allyrion-haproxy-")]
    steps += [Step("bettley", s, commands[f"bettley-{s}"]) for s in KUBEADM_STEPS]
    return steps


def _unmanaged(config_txt: str) -> str:
    """config.txt with the managed block dropped and the lines it owns un-commented: the file before the node layer."""
    head = config_txt.split(BEGIN, 1)[0].rstrip("\n") + "\n"
    return "\n".join(line.removeprefix("#goldentooth-managed# ") for line in head.splitlines()) + "\n"


@dataclass
class Adopted:
    lab: NodeLab
    runs: list[Any]
    ca_before: str
    ca_after: str
    during: list[dict[str, Any]]
    after: list[dict[str, Any]]
    operator_key: Path
    steps: list[Step]


@pytest.fixture(scope="module")
def adopted(real_evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Adopted]:
    _require_lab()
    work = tmp_path_factory.mktemp("live-adoption")
    ca_dir = work / "ca"
    ca_dir.mkdir()
    ca = LabCa.create(ca_dir, common_name="kubernetes")
    cert, key = ca.issue("services", "*.services.goldentooth.net",
                         "DNS:*.services.goldentooth.net,DNS:*.services.k8s.goldentooth.net,DNS:allyrion,IP:10.4.0.10")
    bundle = cert.read_text() + ca.cert.read_text() + key.read_text()  # leaf, root, key: the Ansible era's order
    (work / "backend.pem").write_text(cert.read_text() + key.read_text())
    operator_key = work / "operator_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "nathan@laptop", "-f", str(operator_key)],
                   check=True)
    steps = _steps(real_evaluation)
    with node_lab(real_evaluation, NODES, work / "lab") as lab:
        backends = _start_backends(lab, work, work / "backend.pem")
        probe = None
        try:
            for node in NODES:
                _seed_operator(lab, node, Path(f"{operator_key}.pub").read_text())
            _seed(lab, ca, str(lab.ev.spec.node("bettley").ip))
            _seed_haproxy(lab, work, bundle)
            ca_before = _digests(lab)
            (work / "probe.py").write_text(PROBE)
            probes = json.dumps([[name, scheme, port, host] for name, scheme, port, host, _ in PROBES])
            probe = Probe(subprocess.Popen(
                ["ip", "netns", "exec", lab.client.namespace, sys.executable, str(work / "probe.py"),
                 str(lab.ev.spec.node("allyrion").ip), str(work / "answers.jsonl"), str(work / "stop"), probes],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True),
                work / "answers.jsonl", work / "stop")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # the Ansible-era HAProxy serves every route before anything runs
                recent = probe.answers(time.time() - 1)
                if len(recent) >= len(PROBES) and not _wrong(recent):
                    break
                time.sleep(0.5)
            else:
                raise AssertionError(f"the seeded HAProxy does not serve: {_wrong(probe.answers())[-10:]}\n"
                                     + lab.hosts["allyrion"].read("/var/log/lab/haproxy.service.log"))
            start = time.time()
            runs = [lab.apply(steps), lab.apply(steps)]
            end = time.time()
            time.sleep(3)
            after = probe.answers(end + 0.5)
            during = [a for a in probe.answers(start) if a["t"] <= end]
            yield Adopted(lab, runs, ca_before, _digests(lab), during, after, operator_key, steps)
        finally:
            if probe is not None:
                probe.stop()
            backends.stop()


def test_both_converges_succeed_and_the_second_changes_nothing(adopted: Adopted) -> None:
    first, second = adopted.runs
    assert first.failed is None, first.report()
    assert second.failed is None, second.report()
    assert second.changes() == {}
    changed = first.changes()
    assert "allyrion-haproxy-drop-in" in changed and "allyrion-haproxy-services-early" in changed
    assert "allyrion-haproxy-services-cfg" not in changed  # the early step already wrote the same file


def test_haproxy_routes_answer_throughout_the_converge_and_from_the_new_config_after(adopted: Adopted) -> None:
    during = adopted.during
    assert len(during) >= 50 * len(PROBES), f"only {len(during)} requests during the converge"
    assert _wrong(during) == [], f"{len(_wrong(during))} of {len(during)} requests failed: {_wrong(during)[:10]}"
    assert {a["probe"] for a in during} == {name for name, *_ in PROBES}
    after = adopted.after
    assert after and _wrong(after) == []
    assert {a["answer"] for a in after if a["probe"] == "ray"} == {"erenford:8265"}, "not the new configuration"
    lab = adopted.lab
    master = _sh(lab, "allyrion", "cat /run/haproxy.pid").strip()
    cmdline = _sh(lab, "allyrion", f"tr '\\0' ' ' </proc/{master}/cmdline")
    assert f"-f {CONFIG_DIR}" in cmdline, cmdline
    assert "HAPROXY_STATS_PASSWORD=" in _sh(lab, "allyrion", f"tr '\\0' '\\n' </proc/{master}/environ")
    assert _sh(lab, "allyrion", "pgrep -c -x haproxy || true").strip() == "2", "one master and one worker, no bridge"
    # The bridge bound the stats socket's path too; the socket there now answers, so it is the unit's.
    info = _sh(lab, "allyrion", "python3 -c \"import socket; s = socket.socket(socket.AF_UNIX); "
                                "s.connect('/run/haproxy/admin.sock'); s.sendall(b'show info\\n'); "
                                "print(s.recv(65536).decode())\"")
    assert "Name: HAProxy" in info, info  # the bridge has gone: an answer comes from the unit
    assert lab.hosts["allyrion"].read("/etc/haproxy/haproxy.cfg") == ANSIBLE_HAPROXY_CFG.read_text()


def test_the_cluster_ca_is_byte_identical(adopted: Adopted) -> None:
    assert adopted.ca_after == adopted.ca_before


def test_the_operators_own_key_still_logs_in(adopted: Adopted) -> None:
    lab = adopted.lab
    for node in NODES:
        login = subprocess.run(
            ["ip", "netns", "exec", lab.client.namespace, "ssh", "-F", "/dev/null", "-i", str(adopted.operator_key),
             "-T", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
             f"{OPERATOR}@{lab.ev.spec.node(node).ip}", "id -un"],
            capture_output=True, text=True, timeout=60, check=False)
        assert login.returncode == 0 and login.stdout.split() == [OPERATOR], (node, login.stderr)
        keys = lab.hosts[node].read(f"/home/{OPERATOR}/.ssh/authorized_keys")
        assert keys == Path(f"{adopted.operator_key}.pub").read_text(), "the operator's keys were rewritten"


def test_config_txt_changes_only_as_the_firmware_rules_say_and_each_pi_asks_for_that_reboot(adopted: Adopted) -> None:
    original = ORIGINAL_CONFIG_TXT.read_text(encoding="utf-8")
    first = adopted.runs[0]
    by_step = {(s.node, s.name): s for s in adopted.steps}
    for node in NODES:
        text = adopted.lab.hosts[node].read(CONFIG_TXT)
        block = by_step[(node, "firmware")].params["GT_BLOCK"]
        assert text.endswith(block) and text.count(BEGIN) == 1 and text.rstrip("\n").endswith(END)
        assert _unmanaged(text) == original, "a line outside the managed block changed"
        active = [line for line in text.split(BEGIN)[0].splitlines() if not line.startswith("#")]
        assert not any(line.startswith(("arm_freq", "over_voltage", "dtoverlay=gpio-fan")) for line in active)
        check = first.outcomes[by_step[(node, "reboot-check")].urn].stdout
        assert check.startswith("reboot required: ") and "config.txt" in check, check
        assert adopted.lab.hosts[node].boots()[-1:] == adopted.lab.hosts[node].boots()[:1], "no reboot ran here"
