"""Lab: the SeaweedFS layer's own install and disk steps over SSH on a Pi 5 lab host (after the node layer).

The install step adopts a weed of the configured version (the one built from the module proxy, under the overlay
`fixtures/overlays/weed-lab.yaml` that names its version) and changes nothing the second time; for the real
stack's 3.66 with no pinned tarball digest it stops instead of downloading anything. The disk step refuses the
modelled NVMe while it carries another signature (the predecessor formatted it whenever its data directory was
missing). Not run: mounting a new filesystem (the lab hosts have no loop devices) and the servers step (its
units start only under systemd; tests/lab/test_seaweedfs.py runs the servers themselves).
"""

import os
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from storage.seaweedfs.plan import WEED, data_device
from tests.lab.apply import Run, apply
from tests.lab.node_lab import NodeLab, lab_steps, node_lab, prerequisites
from tests.lab.ssh import Outcome
from tests.lab.storage_support import component_steps, evaluate_with_overlay, substituting_runner
from tests.nodes_support import Step
from tests.tools import go_tool

pytestmark = pytest.mark.lab
COMPONENT = "goldentooth:storage:Seaweedfs"
NODE = "manderly"


def _require() -> Path:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the SeaweedFS step lab, but {reason}")
        pytest.skip(reason)
    return go_tool("weed")


@dataclass
class StepLab:
    first: Run
    second: Run
    real_install: Outcome
    refused_disk: Outcome
    signature: str
    ids: str


def _step(steps: list[Step], name: str) -> Step:
    return next(s for s in steps if s.name == name)


@pytest.fixture(scope="module")
def step_lab(real_plain: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[StepLab]:
    weed = _require()
    ev = evaluate_with_overlay(real_plain, "weed-lab")
    real = evaluate_with_overlay(real_plain, "weed-lab", {"storage": {"seaweedfs": {"version": "3.66"}}})
    steps = component_steps(ev, COMPONENT, [NODE])
    with node_lab(ev, [NODE], tmp_path_factory.mktemp("seaweedfs-steps")) as lab:
        converged = lab.apply(lab_steps(ev, [NODE]))
        assert converged.failed is None, converged.report()
        host = lab.hosts[NODE]
        (host.root / "opt/lab").mkdir(parents=True, exist_ok=True)
        shutil.copy2(weed, host.root / "opt/lab/weed")
        device = data_device(ev.spec.node(NODE))
        assert device is not None
        image = f"/var/lib/lab-disks/{device.rsplit('/', 1)[-1]}.img"
        run_step = substituting_runner(lab, {})
        _sh(lab, f"install -m 0755 /opt/lab/weed {WEED} && mkdir -p /dev/disk/by-id /var/lib/lab-disks && "
                 f"truncate -s 64M {image} && mkswap -q {image} && ln -sfn {image} {shlex.quote(device)}")
        install = [s for s in steps if s.name == "seaweedfs-install"]
        first = apply(install, run_step, workers=1)
        second = apply(install, run_step, workers=1)
        ids = _sh(lab, "id seaweedfs")
        real_install = run_step(_step(component_steps(real, COMPONENT, [NODE]), "seaweedfs-install"))
        refused = run_step(_step(steps, "seaweedfs-disk"))
        signature = _sh(lab, f"blkid -p -o value -s TYPE {image}").strip()
        yield StepLab(first, second, real_install, refused, signature, ids)


def _sh(lab: NodeLab, command: str) -> str:
    outcome = lab.sh(NODE, command)
    assert outcome.returncode == 0, f"{command}\n{outcome.stdout}\n{outcome.stderr}"
    return outcome.stdout


def test_the_install_step_adopts_the_configured_weed_and_a_second_run_changes_nothing(step_lab: StepLab) -> None:
    assert step_lab.first.failed is None, step_lab.first.report()
    changes = step_lab.first.changes()[f"{NODE}-seaweedfs-install"]
    assert "changed: user seaweedfs" in changes and not [c for c in changes if "weed " in c], changes
    assert "uid=985(seaweedfs) gid=985(seaweedfs)" in step_lab.ids
    assert step_lab.second.failed is None and step_lab.second.changes() == {}


def test_the_install_step_stops_rather_than_fetch_an_unpinned_weed(step_lab: StepLab) -> None:
    outcome = step_lab.real_install
    assert outcome.returncode != 0
    assert "config wants 3.66 and pins no sha256 for arm64" in outcome.stderr, outcome.stderr


def test_the_disk_step_refuses_the_nvme_while_it_carries_another_signature(step_lab: StepLab) -> None:
    outcome = step_lab.refused_disk
    assert outcome.returncode != 0
    assert "carries swap: refusing to create a ext4 filesystem on it" in outcome.stderr, outcome.stderr
    assert step_lab.signature == "swap"
