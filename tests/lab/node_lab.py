"""A set of lab hosts for some nodes of an evaluated stack, and the node layer's steps for them, exactly as the
program registered them (`create` and `stdin` of each `command:remote:Command` under a node's `Os` component)."""

import os
import random
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from ipaddress import IPv4Address
from pathlib import Path

from components.shared_file import SHARED
from offline.evaluate import Evaluation
from tests.lab.apply import Run, apply
from tests.lab.host import LabHost, lower_usr, wait_until
from tests.lab.namespaces import Network
from tests.lab.ssh import Outcome, SshClient
from tests.nodes_support import Step, node_steps
from tests.tools import system_tool

NODES_ENV = "GOLDENTOOTH_LAB_NODES"


# The programs the lab runs, each with the Debian package (.ci/debian-packages.txt) that has it.
LAB_TOOLS = {"ip": "iproute2", "unshare": "util-linux", "setpriv": "util-linux", "flock": "util-linux",
             "sshd": "openssh-server", "ssh": "openssh-client", "ssh-keygen": "openssh-client",
             "dpkg-deb": "dpkg", "apt-cache": "apt"}


def prerequisites() -> str | None:
    """Why the lab cannot run here (it needs root), or None. A missing program fails the test once the
    dependencies were ensured, and is a counted skip otherwise (tests.tools)."""
    for tool, package in LAB_TOOLS.items():
        system_tool(tool, package)
    if os.geteuid() != 0:
        return "the SSH lab needs root (network, mount and PID namespaces)"
    return None


def selected_nodes(ev: Evaluation) -> list[str]:
    """GOLDENTOOTH_LAB_NODES: unset, one node per hardware model (the first of each in the inventory);
    `all`, every node; else a comma-separated list of names."""
    wanted = os.environ.get(NODES_ENV, "").strip()
    if wanted == "all":
        return [n.name for n in ev.spec.nodes]
    if wanted:
        names = [n.strip() for n in wanted.split(",") if n.strip()]
        unknown = sorted(set(names) - {n.name for n in ev.spec.nodes})
        if unknown:
            raise ValueError(f"{NODES_ENV} names unknown nodes: {unknown}")
        return names
    first: dict[str, str] = {}
    for node in ev.spec.nodes:
        first.setdefault(node.model.value, node.name)
    return list(first.values())


def lab_steps(ev: Evaluation, names: Sequence[str]) -> list[Step]:
    """The selected nodes' steps, node by node, each node's by name (a stable order to pick from)."""
    by_node = node_steps(ev)
    return [step for name in names for _, step in sorted(by_node[name].items())]


@dataclass
class NodeLab:
    ev: Evaluation
    names: list[str]
    work: Path
    network: Network = field(init=False)
    hosts: dict[str, LabHost] = field(default_factory=dict)
    client: SshClient = field(init=False)
    package_files: Mapping[str, Path] = field(default_factory=dict)  # see host.lower_usr

    def __post_init__(self) -> None:
        self.network = Network(self.ev.spec.network.nodes)

    def up(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        key = self.work / "id_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "goldentooth-lab", "-f", str(key)],
                       check=True)
        self.network.up()
        controller = self.network.attach("ctl", self._controller_address())
        self.client = SshClient(controller, key)
        public = (self.work / "id_ed25519.pub").read_text(encoding="utf-8")
        for index, name in enumerate(self.names):
            spec = self.ev.spec.node(name)
            namespace = self.network.attach(f"h{index}", spec.ip, spec.interface)
            if spec.is_pi:  # every Pi has Wi-Fi; it comes up alongside eth0 until the node layer says otherwise
                # (a veth pair: the dummy driver is not in every kernel; the peer's name avoids the wl* glob)
                subprocess.run(["ip", "-n", namespace, "link", "add", "wlan0", "type", "veth", "peer", "name",
                                "radio0"], check=True)
                subprocess.run(["ip", "-n", namespace, "link", "set", "wlan0", "up"], check=True)
            host = LabHost(spec, self.work / name, namespace)
            host.build(public)
            self.hosts[name] = host
        for host in self.hosts.values():
            host.start(lower_usr(self.work, host.os_release, self.package_files))
        for name in self.hosts:
            wait_until(partial(self._answers, name), 30, f"sshd on {name}")

    def _answers(self, node: str) -> bool:
        return self.sh(node, "true").returncode == 0

    def _controller_address(self) -> IPv4Address:
        taken = {n.ip for n in self.ev.spec.nodes} | {self.ev.spec.network.gateway}
        return next(a for a in self.ev.spec.network.nodes.hosts() if a not in taken)

    def down(self) -> None:
        for host in self.hosts.values():
            host.stop()
        self.network.down()

    def sh(self, node: str, command: str) -> Outcome:
        """A command of the test's own (not a registered step) on a lab host."""
        return self.client.run("root", str(self.ev.spec.node(node).ip), command, dial_error_limit=3)

    def run_step(self, step: Step) -> Outcome:
        connection = step.connection
        host = str(connection["host"])
        if host not in {str(self.ev.spec.node(n).ip) for n in self.hosts}:
            raise AssertionError(f"{step.resource.name} dials {host}, which is not a lab host")
        if step.is_upload:
            return self.client.upload(str(connection["user"]), host, self._shared_file(step), step.remote_path,
                                      dial_error_limit=int(connection.get("dialErrorLimit", 10)))
        return self.client.run(
            str(connection["user"]), host, step.create, stdin=step.stdin,
            dial_error_limit=int(connection.get("dialErrorLimit", 10)),
            per_dial_timeout=float(connection.get("perDialTimeout", 15)),
        )

    def _shared_file(self, step: Step) -> Path:
        """The local file an upload copies, as the engine would read it: the text the evaluation recorded."""
        text = self.ev.file(SHARED, Path(step.source_path).name)
        local = self.work / "shared" / Path(step.source_path).name
        if not local.exists():
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_text(text, encoding="utf-8")
        return local

    def apply(self, steps: Sequence[Step], rng: random.Random | None = None) -> Run:
        return apply(steps, self.run_step, workers=max(2, len(self.hosts)), rng=rng)


@contextmanager
def node_lab(ev: Evaluation, names: Sequence[str], work: Path,
             package_files: Mapping[str, Path] | None = None) -> Iterator[NodeLab]:
    """Hosts up for the block; namespaces, processes and roots go away afterwards, also when the block fails."""
    lab = NodeLab(ev, list(names), work, package_files=dict(package_files or {}))
    try:
        lab.up()
        yield lab
    finally:
        lab.down()
        shutil.rmtree(work, ignore_errors=True)
