"""Lab: the rendered Slurm install step on a node the Ansible era left (its packages installed, its slurmctld
drop-in with `PIDFile=/var/run/slurm/slurmctld.pid`), in a lab host whose /etc, /var/lib, /var/spool and
/var/log are overlays on this machine's (writes stay in the lab), `systemctl` answering every query with success:

1. the packages are at the pinned versions already, so nothing is installed; they are held, the node-local
   directories made, and the legacy drop-in removed;
2. again: no `changed:` line.
"""

import os
from pathlib import Path

import pytest

from batch.slurm.component import packages
from offline.evaluate import Evaluation
from tests.lab.namespaces import Network
from tests.lab.slurm_lab import SlurmLab
from tests.lab.test_ray_install import _overlay

pytestmark = pytest.mark.lab
LEGACY = "/etc/systemd/system/slurmctld.service.d/override.conf"


def _installed(name: str) -> bool:
    return Path(f"/var/lib/dpkg/info/{name}.list").exists() or any(Path("/var/lib/dpkg/info").glob(f"{name}:*.list"))


def test_the_install_step_adopts_an_ansible_era_controller(real_evaluation: Evaluation, tmp_path: Path) -> None:
    spec = real_evaluation.spec
    assert spec.batch is not None and spec.batch.slurm is not None
    node = "bettley"
    names = [p.split("=")[0] for p in packages(spec, spec.batch.slurm, node).split()]
    if os.geteuid() != 0 or not all(_installed(n) for n in names):
        if os.environ.get("CI") == "true":
            pytest.fail(f"the install step lab needs root and {names} installed")
        pytest.skip(f"needs root and the packages {names} (.ci/debian-packages.txt)")
    step = next(f.content for f in real_evaluation.files if f.node == node and f.path == "_steps/slurm-install.sh")
    (tmp_path / "install.sh").write_text(step)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "systemctl").write_text("#!/bin/sh\nexit 0\n")
    (tmp_path / "bin" / "systemctl").chmod(0o755)
    env = ["env", f"PATH={tmp_path / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin"]

    network = Network(spec.network.nodes)
    lab = SlurmLab(network, tmp_path)
    try:
        network.up()
        host = lab.add(node, str(spec.node(node).ip), private=("/run",), logs=())
        for path in ("/etc", "/var/lib", "/var/spool", "/var/log"):
            _overlay(lab, host, path)
        host.run("mkdir", "-p", str(Path(LEGACY).parent))
        host.run("sh", "-c", f"printf '[Service]\\nPIDFile=/var/run/slurm/slurmctld.pid\\n' > {LEGACY}")

        first = host.run(*env, "bash", str(tmp_path / "install.sh"), check=False, timeout=300)
        assert first.returncode == 0, first.stdout + first.stderr
        assert f"changed: removed {LEGACY}" in first.stdout, first.stdout
        assert "changed: installed" not in first.stdout, "a pinned package that is installed was installed again"
        assert host.run("test", "-e", LEGACY, check=False).returncode != 0
        held = host.run("apt-mark", "showhold").stdout.split()
        assert set(names) <= set(held), held
        assert host.run("stat", "-c", "%U:%G", "/var/spool/slurm/d").stdout.strip() == "slurm:slurm"

        second = host.run(*env, "bash", str(tmp_path / "install.sh"), check=False, timeout=300)
        assert second.returncode == 0 and "changed:" not in second.stdout, second.stdout + second.stderr
    finally:
        lab.down()
        network.down()
