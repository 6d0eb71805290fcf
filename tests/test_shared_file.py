"""Files shipped by reference (components/shared_file.py): published once, staged by a CopyToRemote per node,
installed by a step that takes only the staged path and the sha256 and refuses any other text."""

import getpass
import grp
import hashlib
import os
import shlex
import subprocess
from pathlib import Path

import pytest

from components import artifacts
from components.remote_file import _WRITE_SHARED_FILE
from components.script import render
from components.shared_file import SHARED, SharedFile, publish
from offline.evaluate import Evaluation
from tests.nodes_support import header_params


def test_a_real_run_writes_the_file_once_under_the_program_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shared = publish(SharedFile("hosts", "10.4.0.10 a\n"))
    written = tmp_path / shared.local_path
    assert written.read_text(encoding="utf-8") == "10.4.0.10 a\n"
    assert shared.local_path.endswith(hashlib.sha256(b"10.4.0.10 a\n").hexdigest())
    assert oct(written.stat().st_mode & 0o777) == "0o644"
    assert shared.asset().path == shared.local_path  # relative: the inputs do not name the checkout's place
    assert not [p for p in written.parent.iterdir() if p.name.startswith(".")], "no temporary file left behind"


def test_an_evaluation_records_a_shared_file_once_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with artifacts.collecting() as sink:
        for _ in range(3):
            publish(SharedFile("slurm.conf", "ClusterName=x\n"))
    assert [(a.node, a.content) for a in sink.artifacts] == [(SHARED, "ClusterName=x\n")]
    assert list(tmp_path.iterdir()) == []


def _run(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script, "goldentooth-test"], cwd=cwd, capture_output=True, text=True)


def _installer(tmp_path: Path, shared: SharedFile) -> str:
    return render(_WRITE_SHARED_FILE, {
        "GT_NODE": "bettley", "GT_PATH": str(tmp_path / "etc/slurm/slurm.conf"), "GT_MODE": "0644",
        "GT_OWNER": getpass.getuser(), "GT_GROUP": grp.getgrgid(os.getgid()).gr_name, "GT_VALIDATE": "",
        "GT_ON_CHANGE": "echo restarted", "GT_SOURCE": shared.staged_path, "GT_SOURCE_SHA256": shared.digest,
    }, "bettley/slurm-conf")


def test_the_install_step_refuses_a_missing_or_other_staged_text_then_installs_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shared = SharedFile("slurm.conf", "ClusterName=goldentooth\n")
    script = _installer(tmp_path, shared)
    target = tmp_path / "etc/slurm/slurm.conf"

    missing = _run(script, home)
    assert missing.returncode == 1 and f"bettley: the staged copy of {target}" in missing.stderr
    assert "is missing" in missing.stderr and not target.exists()

    staged = home / shared.staged_path
    staged.parent.mkdir(parents=True)
    staged.write_text("ClusterName=other\n", encoding="utf-8")
    other = _run(script, home)
    assert other.returncode == 1 and f"not {shared.digest}" in other.stderr and str(staged) in other.stderr
    assert not target.exists()

    staged.write_text(shared.content, encoding="utf-8")
    older = staged.with_name("slurm.conf-" + "0" * 64)
    older.write_text("ClusterName=old\n", encoding="utf-8")
    first = _run(script, home)
    assert first.returncode == 0, first.stderr
    assert f"changed: {target}" in first.stdout and "restarted" in first.stdout
    assert target.read_text(encoding="utf-8") == shared.content
    assert sorted(p.name for p in staged.parent.iterdir()) == [staged.name], "older staged copies are removed"
    second = _run(script, home)
    assert second.returncode == 0 and "changed:" not in second.stdout and "restarted" not in second.stdout


def test_every_slurm_node_installs_the_one_staged_slurm_conf(real_evaluation: Evaluation) -> None:
    steps = [r for r in real_evaluation.resources
             if r.type == "command:remote:Command" and r.name.endswith(("-slurm-conf", "-slurm-gres-conf"))]
    assert steps
    for step in steps:
        node = step.name.split("-slurm-")[0]
        upload = real_evaluation.one("command:remote:CopyToRemote", f"{step.name}-upload")
        assert upload.urn in step.dependencies
        script = step.raw_inputs["create"].split(" -c ", 1)[1]
        params = header_params(shlex.split(script)[0])
        assert params["GT_SOURCE"] == upload.inputs["remotePath"] and params["GT_NODE"] == node
        text = real_evaluation.file(node, params["GT_PATH"])
        assert params["GT_SOURCE_SHA256"] == hashlib.sha256(text.encode()).hexdigest()
        assert real_evaluation.file(SHARED, Path(upload.inputs["source"]["path"]).name) == text
        assert "stdin" not in step.inputs and "ClusterName" not in step.inputs["create"]


def test_a_component_recorded_under_mocks_writes_nothing_either(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from offline.recorder import record

    monkeypatch.chdir(tmp_path)
    record(lambda: publish(SharedFile("hosts", "10.4.0.10 a\n")))
    assert list(tmp_path.iterdir()) == []
