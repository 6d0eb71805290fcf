"""Lab: `goldentooth host-keys --scan` reads each node's host key with the real ssh-keyscan from the real sshd of lab
hosts at the inventory addresses (the command runs in the lab's controller namespace, so it reaches lab hosts only),
and pins it in a copy of the stack file. The pins are the keys the hosts' sshd present: a strict SSH client with a
known_hosts made from them connects. A host whose key changed afterwards is refused with both fingerprints and the
file is left as it was.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.load import load, read_stack
from offline.evaluate import Evaluation
from tests.conftest import STACK_FILE
from tests.lab.node_lab import NodeLab, node_lab, prerequisites

pytestmark = pytest.mark.lab
NODES = ("allyrion", "bettley", "manderly")
COMMAND = Path(sys.executable).with_name("goldentooth")


@pytest.fixture(scope="module")
def lab(real_evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeLab]:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the SSH lab, but {reason}")
        pytest.skip(reason)
    with node_lab(real_evaluation, NODES, tmp_path_factory.mktemp("host-keys")) as started:
        yield started


def _host_keys(lab: NodeLab, stack: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    nodes = [a for n in NODES for a in ("--node", n)]
    return subprocess.run(["ip", "netns", "exec", lab.client.namespace, str(COMMAND), "host-keys", "--config",
                           str(stack), "--scan", "--timeout", "3", *nodes, *extra],
                          capture_output=True, text=True, timeout=300, check=False)


def _served(lab: NodeLab, node: str) -> str:
    return " ".join(lab.hosts[node].read("/etc/ssh/ssh_host_ed25519_key.pub").split()[:2])


def _fingerprint(lab: NodeLab, node: str) -> str:
    path = lab.hosts[node].root / "etc/ssh/ssh_host_ed25519_key.pub"
    return subprocess.run(["ssh-keygen", "-lf", str(path)], capture_output=True, text=True, check=True).stdout.split()[1]


def test_scanned_keys_are_the_ones_sshd_presents_and_a_changed_key_is_refused(lab: NodeLab, tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.goldentooth.yaml"
    stack.write_text(STACK_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    done = _host_keys(lab, stack)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pinned 3, already pinned 0, not found 0 (from ssh-keyscan" in done.stdout
    for node in NODES:
        assert f"pinned {node}: ssh-ed25519 {_fingerprint(lab, node)}" in done.stdout
    plain, secrets, _ = read_stack(stack)
    spec, _ = load(plain, secrets, require_secrets=False)
    assert dict(spec.ssh.host_keys) == {n: _served(lab, n) for n in NODES}

    # A strict client trusting only the pins reaches every host: they are the keys sshd presents.
    known = tmp_path / "known_hosts"
    known.write_text("".join(f"{spec.node(n).ip} {k}\n" for n, k in spec.ssh.host_keys.items()))
    for node in NODES:
        strict = subprocess.run(
            ["ip", "netns", "exec", lab.client.namespace, "ssh", "-F", "/dev/null", "-i", str(lab.client.key), "-T",
             "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known}",
             f"root@{spec.node(node).ip}", "hostname"], capture_output=True, text=True, timeout=60, check=False)
        assert strict.returncode == 0, (node, strict.stderr)

    again = _host_keys(lab, stack)
    assert again.returncode == 0 and "pinned 0, already pinned 3" in again.stdout, again.stdout + again.stderr

    # bettley gets a new host key (as a reflash would): the scan refuses it and writes nothing.
    old = _fingerprint(lab, "bettley")
    before = stack.read_text()
    swapped = lab.sh("bettley", "rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub && "
                                "ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key && systemctl reload ssh")
    assert swapped.returncode == 0, swapped.stderr
    new = _fingerprint(lab, "bettley")
    assert new != old
    refused = _host_keys(lab, stack)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "ssh.hostKeys.bettley" in refused.stderr and old in refused.stderr and new in refused.stderr
    assert stack.read_text() == before
