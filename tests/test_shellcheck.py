"""Real shellcheck on every step script the real plan registers, exactly as it runs on a node (generated header,
helper library, body), and no static script left out of the plan."""

import copy
import hashlib
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from cluster.registry import collect_contributions, layer_names
from components.remote_step import STEP_DIR
from offline.evaluate import Evaluation, RenderedFile
from tests.conftest import evaluate_shared
from tests.observability_support import evaluate_with_certificates
from tests.storage_support import enable_ceph
from tests.tools import system_tool

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_DIRS = ("components", *layer_names())  # step scripts live beside the component that runs them
_CACHE_KEY = "goldentooth/shellcheck-clean"  # digests of texts this shellcheck version passed


def _shellcheck() -> str:
    return system_tool("shellcheck", "shellcheck")


def _version(shellcheck: str) -> str:
    return subprocess.run([shellcheck, "--version"], capture_output=True, text=True, check=True).stdout


def _check(shellcheck: str, files: list[Path]) -> str:
    done = subprocess.run([shellcheck, "--shell=bash", "--format=gcc", *map(str, files)],
                          capture_output=True, text=True)
    return done.stdout + done.stderr


def _upgrading(plain: dict[str, Any]) -> None:
    """The real stack in the middle of a patch upgrade: the ordered upgrade steps exist only then."""
    major, minor, patch = plain["versions"]["kubernetes"].split(".")
    plain.setdefault("kubernetes", {})["upgradeFrom"] = f"{major}.{minor}.{int(patch) - 1}"


@pytest.fixture(scope="module")
def certificates_ready_evaluation(real_plain: dict[str, Any]) -> Evaluation:
    """The real stack once the PKI layer's certificates are ready: the steps gated on them exist only then."""
    return evaluate_with_certificates(copy.deepcopy(real_plain))


def _step_scripts(*evaluations: Evaluation) -> list[RenderedFile]:
    return [f for ev in evaluations for f in ev.files if f.path.startswith(f"{STEP_DIR}/")]


@pytest.fixture(scope="module")
def upgrading_evaluation(real_plain: dict[str, Any]) -> Evaluation:
    plain = copy.deepcopy(real_plain)
    _upgrading(plain)
    return evaluate_shared(plain)


@pytest.fixture(scope="module")
def optional_layers_evaluation(real_plain: dict[str, Any]) -> Evaluation:
    """The real stack with the layers it keeps off switched on (Ceph), so their steps are checked too."""
    plain = copy.deepcopy(real_plain)
    enable_ceph(plain)
    return evaluate_shared(plain)


def test_every_rendered_step_script_passes_shellcheck(
    real_evaluation: Evaluation, upgrading_evaluation: Evaluation, certificates_ready_evaluation: Evaluation,
    optional_layers_evaluation: Evaluation, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    shellcheck = _shellcheck()
    steps = _step_scripts(real_evaluation, upgrading_evaluation, certificates_ready_evaluation,
                          optional_layers_evaluation)
    assert len(steps) > 200, "the real plan should register a step script per step of every node"
    # Identical text gives identical findings: a text that passed with this shellcheck version is not re-checked.
    salt = _version(shellcheck)
    # No cache under `-p no:cacheprovider`: then every text is checked.
    cache = getattr(request.config, "cache", None)
    clean: set[str] = set(cache.get(_CACHE_KEY, [])) if cache is not None else set()
    todo: dict[str, Path] = {}
    for index, f in enumerate(steps):
        key = hashlib.sha256((salt + f.content).encode()).hexdigest()
        if key in clean or key in todo:
            continue
        path = tmp_path / str(index) / f.node / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f.content, encoding="utf-8")
        todo[key] = path
    # Empty batches are dropped: shellcheck with no files prints its usage, which would read as a finding.
    batches = [b for b in (list(todo.items())[i::8] for i in range(8)) if b]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        reports = list(pool.map(lambda batch: (batch, _check(shellcheck, [p for _, p in batch])), batches))
    findings = [report for _, report in reports if report.strip()]
    for batch, report in reports:
        if not report.strip():
            clean.update(key for key, _ in batch)
    if cache is not None:
        cache.set(_CACHE_KEY, sorted(clean))
    assert not findings, "\n".join(findings)


def _installed_scripts(ev: Evaluation) -> list[RenderedFile]:
    """Executable shell files the plan installs on nodes (textfile probes run by a timer, not steps)."""
    return [f for f in ev.files if not f.path.startswith(f"{STEP_DIR}/") and f.mode == "0755"
            and f.content.startswith("#!/bin/bash")]


def test_every_static_script_runs_in_the_real_plan(
    real_evaluation: Evaluation, upgrading_evaluation: Evaluation, certificates_ready_evaluation: Evaluation,
    optional_layers_evaluation: Evaluation,
) -> None:
    """A script no step renders nor the plan installs would escape the shellcheck tests (and is dead code)."""
    used = {
        line.split("generated from ", 1)[1].split(";", 1)[0]
        for f in _step_scripts(real_evaluation, upgrading_evaluation, certificates_ready_evaluation,
                               optional_layers_evaluation)
        for line in f.content.splitlines()[1:2]
    }
    installed = {f.content for f in _installed_scripts(real_evaluation)}
    library = {"components/shell/lib.sh", "pki/lib.sh"}  # prepended to steps (pki/scripts.py), checked inside them
    # Checked by their layer's tests: a program a step installs, and a part that is off in the real stack.
    library |= {"pki/cert_renewer.sh", "pki/authelia/install.sh", "pki/authelia/service.sh"}
    # Parts off in the real stack, checked with every part on by their layer's tests (tests/test_batch.py), and the
    # leave steps layers contribute for node removal, rendered and checked by tests/test_leave_steps.py.
    library |= {"batch/slurm/slurmdbd.sh", "batch/slurm/slurmdbd_start.sh", "batch/slurm/exporter.sh",
                "batch/ollama/ollama.sh"}
    library |= {step.script for step in collect_contributions(real_evaluation.spec).leave_steps}
    # Run by the HAProxy env and drop-in steps as their on-change command (edge/component.py), checked by
    # tests/test_edge_keeps_routing.py.
    library |= {"edge/restart.sh"}
    scripts = {
        str(p.relative_to(ROOT)) for d in SCRIPT_DIRS if (ROOT / d).is_dir() for p in (ROOT / d).rglob("*.sh")
        if p.read_text(encoding="utf-8") not in installed
    }
    assert scripts - used - library == set()


def test_every_script_the_plan_installs_passes_shellcheck(real_evaluation: Evaluation, tmp_path: Path) -> None:
    shellcheck = _shellcheck()
    unique = {f.content: f for f in _installed_scripts(real_evaluation)}
    assert unique, "the observability layer installs its textfile probes on every node"
    files = []
    for index, f in enumerate(unique.values()):
        path = tmp_path / str(index) / f.path.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f.content, encoding="utf-8")
        files.append(path)
    report = _check(shellcheck, files)
    assert not report.strip(), report


def test_the_labs_own_shell_passes_shellcheck() -> None:
    """The stand-ins and host scripts of tests/lab decide what the lab proves; they get the same check."""
    shellcheck = _shellcheck()
    lab = ROOT / "tests" / "lab"
    files = sorted([*(lab / "standins").iterdir(), *(lab / "host").iterdir()])
    assert len(files) >= 10
    report = _check(shellcheck, files)
    assert not report.strip(), report
