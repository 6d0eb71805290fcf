"""Lab: the rendered HAProxy core config, run by a real haproxy in a network namespace at the load balancer's
inventory address, balances TLS connections across stand-in API servers at the control-plane addresses and
keeps serving when one of them stops.

Everything lives in network namespaces this test creates (a switch namespace with a bridge, one namespace per
host), so no address is configured outside them. The stand-ins answer `/readyz` (HAProxy's health check) and
name themselves on any other path. Needs root (skipped otherwise, except under CI=true) and `ip`, haproxy, openssl (tests.tools).
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from edge.component import CORE_PATH
from edge.config import STATS_PASSWORD_ENV
from offline.evaluate import Evaluation
from tests.tools import system_tool

pytestmark = pytest.mark.lab

STAND_IN = r'''
import http.server, json, ssl, sys
name, address, port, cert, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(log, "a") as f:
            f.write(self.path + "\n")
        body = b"ok" if self.path == "/readyz" else json.dumps({"server": name}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        """Quiet: the test reads its own request log above, not the server's stderr."""
server = http.server.ThreadingHTTPServer((address, port), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
'''

CLIENT = r'''
import http.client, json, ssl, sys
address, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
answers = []
for _ in range(count):
    try:
        conn = http.client.HTTPSConnection(address, port, timeout=3, context=context)
        conn.request("GET", "/version")
        answers.append(json.loads(conn.getresponse().read())["server"])
        conn.close()
    except Exception as exc:
        answers.append("error: " + type(exc).__name__)
print(json.dumps(answers))
'''


def _prerequisites() -> str | None:
    """Why the lab cannot run here (it needs root), or None; a missing program fails or is a counted skip."""
    for tool, package in (("ip", "iproute2"), ("haproxy", "haproxy"), ("openssl", "openssl")):
        system_tool(tool, package)
    if os.geteuid() != 0:
        return "the HAProxy lab needs root to create network namespaces"
    return None


def _run(*args: str) -> None:
    subprocess.run(list(args), check=True, capture_output=True, text=True)


class Lab:
    """Namespaces on one bridge, named with a random suffix so parallel runs never collide."""

    def __init__(self, prefix_length: int) -> None:
        self.tag = uuid.uuid4().hex[:6]
        self.switch = f"gt-sw-{self.tag}"
        self.prefix_length = prefix_length
        self.hosts: dict[str, str] = {}
        self.processes: list[subprocess.Popen[str]] = []

    def ns(self, host: str) -> str:
        return f"gt-{host[:6]}-{self.tag}"

    def up(self, hosts: dict[str, str]) -> None:
        _run("ip", "netns", "add", self.switch)
        _run("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
        _run("ip", "-n", self.switch, "link", "set", "br0", "up")
        for index, (host, address) in enumerate(hosts.items()):
            ns, port = self.ns(host), f"p{index}"
            _run("ip", "netns", "add", ns)
            self.hosts[host] = address
            _run("ip", "-n", self.switch, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
            _run("ip", "-n", self.switch, "link", "set", port, "master", "br0", "up")
            _run("ip", "-n", ns, "addr", "add", f"{address}/{self.prefix_length}", "dev", "eth0")
            _run("ip", "-n", ns, "link", "set", "eth0", "up")
            _run("ip", "-n", ns, "link", "set", "lo", "up")

    def start(self, host: str, *command: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            ["ip", "netns", "exec", self.ns(host), *command],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True,
        )
        self.processes.append(process)
        return process

    def run(self, host: str, *command: str) -> str:
        return subprocess.run(["ip", "netns", "exec", self.ns(host), *command], check=True, capture_output=True,
                              text=True, timeout=120).stdout

    def down(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for ns in [*(self.ns(h) for h in self.hosts), self.switch]:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


@contextmanager
def lab(prefix_length: int) -> Iterator[Lab]:
    instance = Lab(prefix_length)
    try:
        yield instance
    finally:
        instance.down()


def _wait_for_port(lab: Lab, host: str, address: str, port: int) -> None:
    probe = f"import socket; socket.create_connection(('{address}', {port}), timeout=1).close()"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if subprocess.run(["ip", "netns", "exec", lab.ns(host), sys.executable, "-c", probe],
                          capture_output=True).returncode == 0:
            return
        time.sleep(0.3)
    raise AssertionError(f"{address}:{port} did not open in {host}")


def _ask(lab: Lab, client: Path, lb: str, address: str, count: int) -> list[str]:
    answers: list[str] = json.loads(lab.run(lb, sys.executable, str(client), address, "6443", str(count)))
    return answers


def test_haproxy_balances_the_api_and_survives_a_control_plane_loss(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    reason = _prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the HAProxy lab cannot run under CI: {reason}")
        pytest.skip(reason)
    spec = real_evaluation.spec
    lb = spec.roles.haproxy
    control_plane = spec.nodes_named(spec.roles.kubernetes.control_plane)
    core = next(f.content for f in real_evaluation.files if f.node == lb and f.path == CORE_PATH)
    # Only the admin socket's directory differs from a real node (it is created by systemd there).
    config = tmp_path / "10-core.cfg"
    config.write_text(core.replace("/run/haproxy/admin.sock", str(tmp_path / "admin.sock")))
    cert = tmp_path / "apiserver.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "1", "-subj", "/CN=kube-apiserver", "-keyout", str(tmp_path / "k.pem"),
                    "-out", str(tmp_path / "c.pem")], check=True, capture_output=True)
    cert.write_text((tmp_path / "c.pem").read_text() + (tmp_path / "k.pem").read_text())
    (tmp_path / "stand_in.py").write_text(STAND_IN)
    client = tmp_path / "client.py"
    client.write_text(CLIENT)

    with lab(spec.network.nodes.prefixlen) as net:
        net.up({lb: str(spec.node(lb).ip), **{n.name: str(n.ip) for n in control_plane}})
        servers = {}
        for node in control_plane:
            log = tmp_path / f"{node.name}.log"
            log.touch()
            servers[node.name] = net.start(node.name, sys.executable, str(tmp_path / "stand_in.py"), node.name,
                                           str(node.ip), "6443", str(cert), str(log))
            _wait_for_port(net, node.name, str(node.ip), 6443)
        env = {**os.environ, STATS_PASSWORD_ENV: "lab-only-password"}
        haproxy = net.start(lb, "haproxy", "-db", "-f", str(config), env=env)
        _wait_for_port(net, lb, str(spec.node(lb).ip), 6443)
        time.sleep(5)  # two health checks (inter 2s, rise 2) mark every server up

        answers = _ask(net, client, lb, str(spec.node(lb).ip), 9)
        assert sorted(set(answers)) == sorted(n.name for n in control_plane), answers
        for node in control_plane:
            assert "/readyz" in (tmp_path / f"{node.name}.log").read_text(), f"{node.name} was never health-checked"

        first = control_plane[0].name
        os.killpg(servers[first].pid, signal.SIGKILL)
        servers[first].wait(timeout=10)
        time.sleep(8)  # fall 3 at inter 2s: the dead server leaves the rotation
        answers = _ask(net, client, lb, str(spec.node(lb).ip), 12)
        assert haproxy.poll() is None, "haproxy exited"
        assert all(not a.startswith("error") for a in answers), answers
        assert set(answers) == {n.name for n in control_plane[1:]}, answers
