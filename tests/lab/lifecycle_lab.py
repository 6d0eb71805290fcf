"""What the lifecycle labs share: the stand-ins of tests/lab/lifecycle on the hosts, a seeded stand-in cluster,
registered commands run as the engine runs them (secrets' offline placeholders replaced by values of the shape the
real random resources give; the connection's pinned host key checked strictly, as pulumi-command does), a host
wiped and reflashed, and a listener at the API endpoint (join.sh waits for it)."""

import hashlib
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from offline.evaluate import Evaluation
from offline.recorder import RecordedResource
from tests.lab.host import LabHost, lower_usr, wait_until
from tests.lab.node_lab import NodeLab
from tests.lab.ssh import Outcome
from tests.nodes_support import Step

STANDINS = Path(__file__).resolve().parent / "lifecycle"
_PLACEHOLDER = re.compile(r"\[placeholder random (string|id \(hex\)|uuid) of ([^\]]+)\]")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def sh(lab: NodeLab, node: str, command: str) -> str:
    outcome = lab.sh(node, command)
    assert outcome.returncode == 0, f"{node}: {command}\n{outcome.stdout}\n{outcome.stderr}"
    return outcome.stdout


def install_standins(lab: NodeLab, node: str) -> None:
    for tool in sorted(p.name for p in STANDINS.iterdir()):
        text = (STANDINS / tool).read_text(encoding="utf-8")
        sh(lab, node, f"install -d /usr/local/bin && printf %s {shlex.quote(text)} >/usr/local/bin/{tool} "
                      f"&& chmod 0755 /usr/local/bin/{tool}")


def seed_control_plane(lab: NodeLab, node: str, members: Mapping[str, str], control_plane: list[str]) -> None:
    """The stand-in cluster on a control plane, as the joins left it: a Node object per member (name -> address),
    an admin.conf, and an etcd member per control plane."""
    etcd = "".join(f"{hashlib.sha256(n.encode()).hexdigest()[:16]}, started, {n}, https://{members[n]}:2380, "
                   f"https://{members[n]}:2379, false\n" for n in control_plane)
    sh(lab, node, "mkdir -p /var/lib/lab-k8s/nodes /var/lib/lab-k8s/addresses /etc/kubernetes/manifests && "
                  "echo admin >/etc/kubernetes/admin.conf && " + " && ".join(
                      f"echo false >/var/lib/lab-k8s/nodes/{n} && echo {a} >/var/lib/lab-k8s/addresses/{n}"
                      for n, a in sorted(members.items()))
       + f" && printf %s {shlex.quote(etcd)} >/var/lib/lab-k8s/etcd-members")


def seed_joined(lab: NodeLab, node: str, control_plane: bool) -> None:
    """A node as its join left it: the kubelet's kubeconfig, static pods on a control plane, kubelet enabled."""
    pods = " && echo etcd >/etc/kubernetes/manifests/etcd.yaml" if control_plane else ""
    sh(lab, node, "mkdir -p /etc/kubernetes/manifests && echo kubeconfig >/etc/kubernetes/kubelet.conf" + pods +
       " && printf '[Service]\\nExecStart=/bin/true\\n' >/etc/systemd/system/kubelet.service && "
       "systemctl enable kubelet.service")


def _value(ev: Evaluation, kind: str, name: str) -> str:
    """What the engine's random resource would hand over: a value of its shape, the same for one name."""
    seed = hashlib.sha256(name.encode()).digest() * 4
    if kind == "uuid":
        return str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    resource = next(r for r in ev.resources if r.name == name)
    if kind == "string":
        length = int(resource.inputs["length"])
        assert resource.inputs.get("upper") is False and resource.inputs.get("special") is False, name
        return "".join(_ALPHABET[b % len(_ALPHABET)] for b in seed[:length])
    return seed[:int(resource.inputs["byteLength"])].hex()


def engine_text(ev: Evaluation, text: str) -> str:
    return _PLACEHOLDER.sub(lambda m: _value(ev, m.group(1), m.group(2)), text)


def known_hosts(work: Path, connection: Mapping[str, Any]) -> Path | None:
    key = connection.get("hostKey")
    if not key:
        return None
    path = work / f"known_hosts-{connection['host']}"
    path.write_text(f"{connection['host']} {key}\n", encoding="utf-8")
    return path


def run(lab: NodeLab, resource: RecordedResource, field: str = "create") -> Outcome:
    """A registered command's `create` (or stored `delete`) as the engine runs it, over its own connection."""
    connection: dict[str, Any] = resource.raw_inputs["connection"]
    host = str(connection["host"])
    assert host in {str(lab.ev.spec.node(n).ip) for n in lab.hosts}, f"{resource.name} dials {host}"
    stdin = resource.raw_inputs.get("stdin")
    return lab.client.run(str(connection["user"]), host, engine_text(lab.ev, str(resource.raw_inputs[field])),
                          stdin=engine_text(lab.ev, stdin) if isinstance(stdin, str) else None,
                          dial_error_limit=min(3, int(connection.get("dialErrorLimit", 3))) if field == "delete"
                          else int(connection.get("dialErrorLimit", 10)),
                          per_dial_timeout=float(connection.get("perDialTimeout", 15)),
                          known_hosts=known_hosts(lab.work, connection))


def run_step(lab: NodeLab, step: Step) -> Outcome:
    """For tests/lab/apply.py: uploads as the node lab does them, commands through `run`."""
    return lab.run_step(step) if step.is_upload else run(lab, step.resource)


def host_key(lab: NodeLab, node: str) -> str:
    """The host's public key as `ssh-keyscan` shows it (type and key)."""
    text = (lab.hosts[node].root / "etc/ssh/ssh_host_ed25519_key.pub").read_text(encoding="utf-8")
    return " ".join(text.split()[:2])


def wipe(lab: NodeLab, node: str) -> None:
    """A dead SD card reflashed: the host stops, its disk is a fresh image (a new sshd host key, no state), and it
    boots again at the same address."""
    old = lab.hosts[node]
    old.stop()
    shutil.rmtree(old.work)
    host = LabHost(old.spec, old.work, old.namespace)
    host.build((lab.work / "id_ed25519.pub").read_text(encoding="utf-8"))
    host.start(lower_usr(lab.work, host.os_release, lab.package_files))
    lab.hosts[node] = host
    wait_until(partial(lambda n: lab.sh(n, "true").returncode == 0, node), 30, f"sshd on the reflashed {node}")


@contextmanager
def api_endpoint(lab: NodeLab, address: IPv4Address, port: int) -> Iterator[None]:
    """Something listening at the API endpoint (the load balancer's address), in its own namespace on the lab's
    bridge: join.sh waits until it answers before it runs kubeadm."""
    namespace = lab.network.attach("lb", address)
    probe = f"import socket; socket.create_connection(('{address}', {port}), timeout=1).close()"
    serve = (f"import socket, time; s = socket.socket(); s.bind(('{address}', {port})); s.listen(16)\n"
             "while True: s.accept()[0].close()")
    process = subprocess.Popen(["ip", "netns", "exec", namespace, sys.executable, "-c", serve],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", probe],
                             capture_output=True).returncode != 0:
            assert time.monotonic() < deadline, "the API endpoint stand-in did not listen"
            time.sleep(0.1)
        yield
    finally:
        process.kill()
        process.wait(timeout=10)


def calls(lab: NodeLab, nodes: list[str]) -> list[tuple[int, str, str]]:
    """Every stand-in call on those hosts, in time order: (nanoseconds, host, call)."""
    found = []
    for node in nodes:
        for line in sh(lab, node, "cat /var/log/lab-k8s.log 2>/dev/null || true").splitlines():
            stamp, call = line.split(" ", 1)
            found.append((int(stamp), node, call))
    return sorted(found)
