"""Lab: Debian's ceph-mon (Pacific, the reference's release) runs the rendered ceph.conf on the three monitor
nodes, at their inventory addresses in network namespaces, and forms a quorum that `ceph -s` reports; with one
monitor stopped the other two keep it.

The monmap is made the way the monitor step makes it (monmaptool with the step's own GT_FSID and GT_MONS), and
the stores with `ceph-mon --mkfs`. Keys are the test's own (the offline plan holds placeholders). Not run here:
managers, OSDs (ceph-volume needs block devices and LVM), pools and ceph-csi; and the steps themselves run
on a node (they use systemd and apt), which the namespaces here are not.
"""

import json
import os
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from config.load import read_stack_file
from offline.evaluate import Evaluation, evaluate
from tests.conftest import STACK_FILE, fake_secret_values
from tests.lab.namespaces import Network
from tests.nodes_support import COMMAND, header_params
from tests.storage_support import enable_ceph

pytestmark = pytest.mark.lab
TOOLS = ("ceph-mon", "monmaptool", "ceph-authtool", "ceph")


def _require() -> None:
    reason = None
    if os.geteuid() != 0:
        reason = "needs root for network namespaces"
    elif missing := [t for t in TOOLS if shutil.which(t) is None]:
        reason = f"needs {', '.join(missing)} (Debian ceph-mon, ceph-common)"
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the Ceph lab, but it {reason}")
        pytest.skip(reason)


def _run(*argv: str) -> str:
    return subprocess.run(list(argv), check=True, capture_output=True, text=True, timeout=120).stdout


def _wait(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(1)
    raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")


class Mons:
    def __init__(self, ev: Evaluation, work: Path) -> None:
        self.ev, self.work = ev, work
        self.network = Network(ev.spec.network.nodes)
        self.ns: dict[str, str] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.conf = work / "ceph.conf"
        self.keyring = work / "keyring"

    def ceph(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.ns["ctl"], "ceph", "-c", str(self.conf), "-k",
                               str(self.keyring), "--connect-timeout", "10", *args],
                              capture_output=True, text=True, timeout=60)

    def quorum(self) -> list[str]:
        done = self.ceph("quorum_status", "-f", "json")
        names: list[str] = json.loads(done.stdout)["quorum_names"] if done.returncode == 0 else []
        return sorted(names)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _mon_step_params(ev: Evaluation, mon: str) -> dict[str, str]:
    step = next(r for r in ev.resources if r.type == COMMAND and r.name == f"{mon}-ceph-mon")
    create = str(step.raw_inputs["create"])
    words = shlex.split(create)
    return header_params(words[words.index("-c") + 1])


@pytest.fixture(scope="module")
def mons(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mons]:
    _require()
    plain: dict[str, Any] = read_stack_file(STACK_FILE)[0]
    enable_ceph(plain)
    ev = evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"})
    lab = Mons(ev, tmp_path_factory.mktemp("ceph"))
    spec, work = ev.spec, lab.work
    names = list(spec.storage.ceph.mons)
    lab.conf.write_text(next(f.content for f in ev.files if f.node == names[0] and f.path == "/etc/ceph/ceph.conf"))
    _run("ceph-authtool", "--create-keyring", str(lab.keyring), "--gen-key", "-n", "mon.", "--cap", "mon", "allow *")
    _run("ceph-authtool", str(lab.keyring), "--gen-key", "-n", "client.admin", "--cap", "mon", "allow *",
         "--cap", "osd", "allow *", "--cap", "mgr", "allow *", "--cap", "mds", "allow *")
    params = _mon_step_params(ev, names[0])
    monmap = work / "monmap"
    args = ["--create", "--fsid", params["GT_FSID"]]
    for line in params["GT_MONS"].splitlines():
        name, addrs = line.split()
        args += ["--addv", name, addrs]
    _run("monmaptool", *args, str(monmap))
    try:
        lab.network.up()
        taken = {n.ip for n in spec.nodes} | {spec.network.gateway}
        lab.ns["ctl"] = lab.network.attach("ctl", next(a for a in spec.network.nodes.hosts() if a not in taken))
        for index, name in enumerate(names):
            lab.ns[name] = lab.network.attach(f"m{index}", spec.node(name).ip)
            paths = ["--mon-data", str(work / name), "--run-dir", str(work / f"{name}-run"),
                     "--log-file", str(work / f"{name}.log"), "--admin-socket", str(work / f"{name}.asok")]
            (work / f"{name}-run").mkdir()
            # --mkfs finds the monitor's own address on public_network, so it runs in the monitor's namespace too
            _run("ip", "netns", "exec", lab.ns[name], "ceph-mon", "-c", str(lab.conf), "--mkfs", "-i", name, "--monmap", str(monmap),
                 "--keyring", str(lab.keyring), *paths)
            lab.processes[name] = subprocess.Popen(
                ["ip", "netns", "exec", lab.ns[name], "ceph-mon", "-f", "-c", str(lab.conf), "-i", name, *paths],
                stdout=subprocess.DEVNULL, stderr=(work / f"{name}.err").open("wb"), start_new_session=True)
        yield lab
    finally:
        for name in list(lab.processes):
            lab.stop(name)
        lab.network.down()


def test_the_monitors_form_a_quorum_that_ceph_status_reports_and_keep_it_with_one_down(mons: Mons) -> None:
    names = sorted(mons.ev.spec.storage.ceph.mons)
    _wait(lambda: mons.quorum() == names, 120, "all three monitors in the quorum")
    status = mons.ceph("-s")
    assert status.returncode == 0, status.stderr
    assert f"mon: 3 daemons, quorum {','.join(mons.ev.spec.storage.ceph.mons)}" in status.stdout, status.stdout
    assert json.loads(mons.ceph("-s", "-f", "json").stdout)["fsid"] in mons.conf.read_text()
    mons.stop(names[-1])
    _wait(lambda: mons.quorum() == names[:-1], 120, "the two remaining monitors to keep a quorum")
    assert mons.ceph("-s").returncode == 0
