"""Lab: the rendered munge step on a node that already has munge and its own key, as the real nodes do (this
machine's Debian munge package made one). Run in a lab host whose /etc, /var/lib and /opt are overlays on this
machine's (writes stay in the lab), with `systemctl` answering every query with success (no systemd here):

1. as registered (`replaceMungeKey: false`): it stops, names the file, and the key is untouched;
2. with `replaceMungeKey: true`: it installs the generated key 0400 munge:munge and restarts munge;
3. again: no `changed:` line.
"""

import base64
import hashlib
import os
from pathlib import Path

import pytest

from offline.evaluate import Evaluation
from tests.lab.namespaces import Network
from tests.lab.slurm_lab import SlurmHost, SlurmLab
from tests.lab.test_ray_install import OVERLAID, _overlay

pytestmark = pytest.mark.lab
KEY = "/etc/munge/munge.key"


def _run(host: SlurmHost, bin_dir: Path, script: Path, key: bytes) -> tuple[int, str]:
    done = host.run("env", f"PATH={bin_dir}:/usr/sbin:/usr/bin:/sbin:/bin", "bash", "-c", f'bash {script} <<<"$1"',
                    "run", base64.b64encode(key).decode(), check=False, timeout=120)
    return done.returncode, done.stdout + done.stderr


def test_the_munge_step_adopts_nothing_silently_and_replaces_only_when_told(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    if os.geteuid() != 0 or not Path("/usr/sbin/munged").exists() or not Path(KEY).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("the munge step lab needs root and Debian's munge with its key")
        pytest.skip("needs root and Debian's munge package (with the key its postinst makes)")
    spec = real_evaluation.spec
    node = "bettley"
    step = next(f.content for f in real_evaluation.files if f.node == node and f.path == "_steps/munge.sh")
    assert "export GT_REPLACE_KEY=no\n" in step
    registered, replacing = tmp_path / "munge.sh", tmp_path / "munge-replace.sh"
    registered.write_text(step)
    replacing.write_text(step.replace("export GT_REPLACE_KEY=no\n", "export GT_REPLACE_KEY=yes\n"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "systemctl").chmod(0o755)
    generated = os.urandom(128)

    network = Network(spec.network.nodes)
    lab = SlurmLab(network, tmp_path)
    try:
        network.up()
        host = lab.add(node, str(spec.node(node).ip), private=("/run",), logs=())
        for path in OVERLAID:
            _overlay(lab, host, path)
        held = host.run("sha256sum", KEY).stdout

        code, out = _run(host, bin_dir, registered, generated)
        assert code != 0 and f"{KEY} holds another munge key than the generated one" in out, out
        assert "changed:" not in out and host.run("sha256sum", KEY).stdout == held

        code, out = _run(host, bin_dir, replacing, generated)
        assert code == 0, out
        assert f"changed: {KEY}" in out and "changed: restarted munge for the new key" in out, out
        assert host.run("stat", "-c", "%U:%G:%a", KEY).stdout.strip() == "munge:munge:400"
        assert host.run("stat", "-c", "%U:%G:%a", "/etc/munge").stdout.strip() == "munge:munge:700"
        assert host.run("sha256sum", KEY).stdout.split()[0] == hashlib.sha256(generated).hexdigest()

        code, out = _run(host, bin_dir, replacing, generated)
        assert code == 0 and "changed:" not in out, out
        assert host.run("stat", "-c", "%U:%G:%a", "/etc/munge").stdout.strip() == "munge:munge:700"
    finally:
        lab.down()
        network.down()
