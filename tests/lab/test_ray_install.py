"""Lab: the rendered Ray step (batch/ray/ray.sh) installs the pinned Ray once. Run twice in a lab host whose
/etc, /var/lib and /opt are overlays on this machine's (writes stay in the lab): the first run creates the
`ray` user, the environment in /opt/ray/<version> and the unit; the second prints no `changed:` line and
installs nothing (the Ansible play ran pip on every converge).

pip reads the pinned wheels `make ray-lab-env` downloaded (PIP_NO_INDEX, PIP_FIND_LINKS) instead of PyPI, and
`systemctl` answers every query with success (no systemd in a lab host). Skipped when the wheels are missing.
"""

import os
import time
from pathlib import Path

import pytest

from batch.ray.component import prefix
from offline.evaluate import Evaluation
from tests.lab.namespaces import Network
from tests.lab.ray_env import wheels
from tests.lab.slurm_lab import SlurmHost, SlurmLab
from tests.tools import missing

pytestmark = pytest.mark.lab

OVERLAID = ("/etc", "/var/lib", "/opt")


def _overlay(lab: SlurmLab, host: SlurmHost, path: str) -> None:
    upper = lab.work / host.name / "upper" / path.strip("/").replace("/", "-")
    work = lab.work / host.name / "work" / path.strip("/").replace("/", "-")
    upper.mkdir(parents=True)
    work.mkdir(parents=True)
    host.run("mount", "-t", "overlay", "overlay", "-o", f"lowerdir={path},upperdir={upper},workdir={work}", path)


def test_the_ray_step_installs_the_pinned_ray_once(real_evaluation: Evaluation, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("the Ray install lab needs root")
        pytest.skip("needs root for namespaces")
    spec = real_evaluation.spec
    assert spec.batch is not None and spec.batch.ray is not None and spec.roles.ray is not None
    settings = spec.batch.ray
    cache = wheels()
    if not any(cache.glob(f"ray-{settings.version}-*.whl")):
        missing(f"the ray {settings.version} wheel in {cache}", "make ray-lab-env downloads it")
    node = spec.roles.ray.workers[0]
    step = next(f.content for f in real_evaluation.files if f.node == node and f.path == "_steps/ray.sh")
    (tmp_path / "ray.sh").write_text(step)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "systemctl").write_text("#!/bin/sh\nexit 0\n")
    (tmp_path / "bin" / "systemctl").chmod(0o755)
    env = ["env", f"PATH={tmp_path / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin", "PIP_NO_INDEX=1",
           f"PIP_FIND_LINKS={cache}", "HOME=/root"]

    network = Network(spec.network.nodes)
    lab = SlurmLab(network, tmp_path)
    try:
        network.up()
        host = lab.add(node, str(spec.node(node).ip), private=("/run",), logs=())
        for path in OVERLAID:
            _overlay(lab, host, path)
        started = time.monotonic()
        first = host.run(*env, "bash", str(tmp_path / "ray.sh"), check=False, timeout=900)
        took = time.monotonic() - started
        assert first.returncode == 0, first.stdout + first.stderr
        assert f"changed: ray {settings.version} in {prefix(settings)}" in first.stdout, first.stdout
        assert "changed: user ray" in first.stdout
        version = host.run(f"{prefix(settings)}/bin/ray", "--version").stdout
        assert version.strip() == f"ray, version {settings.version}"
        assert host.run("id", "-u", "ray", check=False).returncode == 0
        assert host.run("test", "-f", "/etc/systemd/system/ray.service", check=False).returncode == 0
        second = host.run(*env, "bash", str(tmp_path / "ray.sh"), check=False, timeout=300)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "changed:" not in second.stdout, second.stdout
        print(f"ray install lab: first run {took:.0f}s, second run changed nothing")
    finally:
        lab.down()
        network.down()
