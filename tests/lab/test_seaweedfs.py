"""Lab: SeaweedFS servers exactly as the rendered units start them (ExecStart of seaweedfs-master/-volume/-filer),
run by the real `weed` in network namespaces at the Pi 5s' inventory addresses: the three masters elect a leader,
all four volume servers join, a file written through a filer reads back, and with one master (the leader)
stopped the cluster still elects a leader and serves reads and writes.

Only the state directories differ from a node (a temporary directory instead of the NVMe mount). `weed` comes
from tools/go-tools.txt (built by tools/go-tool.sh); under CI=true a missing build is a failure.
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from offline.evaluate import Evaluation
from storage.seaweedfs.plan import KINDS, WEED, roles_of, seaweedfs_nodes, seaweedfs_ports
from tests.lab.namespaces import Network
from tests.tools import go_tool

pytestmark = pytest.mark.lab

CLIENT = r'''
import json, sys, urllib.request, uuid
method, url = sys.argv[1], sys.argv[2]
if method == "GET":
    with urllib.request.urlopen(url, timeout=10) as r:
        sys.stdout.write(r.read().decode())
else:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n"
            f"Content-Type: text/plain\r\n\r\n{sys.argv[3]}\r\n--{boundary}--\r\n").encode()
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        sys.stdout.write(r.read().decode())
'''


def _require() -> Path:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("the SeaweedFS lab needs root for network namespaces")
        pytest.skip("needs root for network namespaces")
    return go_tool("weed")


def _exec_start(ev: Evaluation, node: str, kind: str) -> list[str]:
    path = f"/etc/systemd/system/seaweedfs-{kind}.service"
    text = next(f.content for f in ev.files if f.node == node and f.path == path)
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def _wait(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")


class Cluster:
    def __init__(self, ev: Evaluation, weed: Path, work: Path) -> None:
        self.ev, self.weed, self.work = ev, weed, work
        self.network = Network(ev.spec.network.nodes)
        self.ns: dict[str, str] = {}
        self.processes: dict[tuple[str, str], subprocess.Popen[bytes]] = {}
        (work / "client.py").write_text(CLIENT)

    def up(self) -> None:
        spec = self.ev.spec
        self.network.up()
        taken = {n.ip for n in spec.nodes} | {spec.network.gateway}
        self.ns["ctl"] = self.network.attach("ctl", next(a for a in spec.network.nodes.hosts() if a not in taken))
        for index, name in enumerate(seaweedfs_nodes(spec)):
            self.ns[name] = self.network.attach(f"s{index}", spec.node(name).ip)

    def start(self, node: str, kind: str) -> None:
        root = self.work / node
        argv = [str(self.weed) if a == WEED else a.replace(self.ev.spec.storage.seaweedfs.mount_path, str(root))
                for a in _exec_start(self.ev, node, kind)]
        for arg in argv:
            if arg.startswith(("-mdir=", "-dir=", "-dir.idx=", "-defaultStoreDir=")):
                Path(arg.split("=", 1)[1]).mkdir(parents=True, exist_ok=True)
        log = (self.work / f"{node}-{kind}.log").open("wb")
        self.processes[(node, kind)] = subprocess.Popen(
            ["ip", "netns", "exec", self.ns[node], *argv], cwd=root, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()

    def stop(self, node: str, kind: str) -> None:
        process = self.processes.pop((node, kind))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def http(self, method: str, url: str, body: str = "") -> str | None:
        done = subprocess.run(["ip", "netns", "exec", self.ns["ctl"], sys.executable, str(self.work / "client.py"),
                               method, url, body], capture_output=True, text=True, timeout=60)
        return done.stdout if done.returncode == 0 else None

    def status(self, master: str) -> dict[str, Any] | None:
        port = seaweedfs_ports(self.ev.spec.storage.seaweedfs)["master"].http
        text = self.http("GET", f"http://{self.ev.spec.node(master).ip}:{port}/cluster/status")
        return json.loads(text) if text else None

    def down(self) -> None:
        for key in list(self.processes):
            self.stop(*key)
        self.network.down()


@pytest.fixture(scope="module")
def cluster(real_evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    weed = _require()
    instance = Cluster(real_evaluation, weed, tmp_path_factory.mktemp("seaweedfs"))
    try:
        instance.up()
        spec = real_evaluation.spec
        for kind in KINDS:  # masters first, then volume servers, then filers, as the one-at-a-time steps do
            for node in seaweedfs_nodes(spec):
                if kind in roles_of(spec, node):
                    instance.start(node, kind)
        yield instance
    finally:
        instance.down()


def _leader(cluster: Cluster, masters: list[str]) -> str | None:
    """The leader every running master names, when they all name the same one."""
    leaders = set()
    for master in masters:
        status = cluster.status(master)
        if status is None or not status.get("Leader"):
            return None
        # SeaweedFS names a master `ip:http.grpc` (10.4.0.22:9333.19333) when gRPC is not http + 10000 implied
        host, port = str(status["Leader"]).split(":", 1)
        leaders.add(f"{host}:{port.split('.', 1)[0]}")
    return leaders.pop() if len(leaders) == 1 else None


def test_seaweedfs_from_rendered_units_elects_a_leader_serves_a_file_and_survives_a_master_loss(
    cluster: Cluster,
) -> None:
    spec = cluster.ev.spec
    roles = spec.roles.seaweedfs
    assert roles is not None and len(roles.masters) == 3
    ports = seaweedfs_ports(spec.storage.seaweedfs)
    masters = list(roles.masters)
    _wait(lambda: _leader(cluster, masters) is not None, 90, "a raft leader all masters agree on")
    leader = _leader(cluster, masters)
    assert leader in {f"{spec.node(m).ip}:{ports['master'].http}" for m in masters}, leader

    def volume_servers() -> int:
        text = cluster.http("GET", f"http://{leader}/dir/status")
        if not text:
            return 0
        topology = json.loads(text)["Topology"]
        # Before the first volume server registers, the master reports the lists as null.
        return sum(len(rack.get("DataNodes") or []) for dc in topology.get("DataCenters") or []
                   for rack in dc.get("Racks") or [])

    _wait(lambda: volume_servers() == len(roles.volumes), 60, "every volume server to join")

    filer = f"http://{spec.node(roles.filers[0]).ip}:{ports['filer'].http}"
    _wait(lambda: cluster.http("GET", f"{filer}/") is not None, 60, "the filer")
    _wait(lambda: cluster.http("POST", f"{filer}/lab/hello.txt", "written through the filer") is not None, 90,
          "a write through the filer")
    assert cluster.http("GET", f"{filer}/lab/hello.txt") == "written through the filer"

    lost = next(m for m in masters if leader.startswith(f"{spec.node(m).ip}:"))
    cluster.stop(lost, "master")
    survivors = [m for m in masters if m != lost]
    _wait(lambda: _leader(cluster, survivors) not in (None, leader), 90, "a new leader among the two left")
    assert cluster.http("GET", f"{filer}/lab/hello.txt") == "written through the filer"
    _wait(lambda: cluster.http("POST", f"{filer}/lab/after.txt", "after the loss") is not None, 90,
          "a write with one master down")
    assert cluster.http("GET", f"{filer}/lab/after.txt") == "after the loss"
