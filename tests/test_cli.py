"""The installed `goldentooth` command, run as a person runs it: a fresh process from the project root."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from offline.evaluate import Evaluation, RenderedFile
from offline.render import write_files
from tests.conftest import ROOT, STACK_FILE

COMMAND = Path(sys.executable).with_name("goldentooth")
NODE_NAMES = [
    "allyrion", "bettley", "cargyll", "dalt", "erenford", "fenn", "gardener", "harlton", "inchfield", "jast",
    "karstark", "lipps", "manderly", "norcross", "oakheart", "payne", "velaryon",
]


def goldentooth(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COMMAND), *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def plan_to_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], str]:
    """`goldentooth plan --json FILE`: the summary on stdout, the plan in the file."""
    out = tmp_path_factory.mktemp("plan") / "plan.json"
    return goldentooth("plan", "--json", str(out)), out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def json_runs(
    plan_to_file: tuple[subprocess.CompletedProcess[str], str],
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """`plan --json -` and `plan --json FILE` (its file as stdout): two separate processes, one plan each."""
    to_file, text = plan_to_file
    return goldentooth("plan", "--json", "-"), subprocess.CompletedProcess(to_file.args, to_file.returncode, text, "")


def test_plan_prints_the_summary_of_all_17_nodes(
    real_plain: dict[str, Any], plan_to_file: tuple[subprocess.CompletedProcess[str], str]
) -> None:
    result, _ = plan_to_file
    assert result.returncode == 0, result.stderr
    head, *_ = result.stdout.splitlines()
    assert head.startswith("goldentooth plan: ") and "(17 nodes," in head
    by_node = result.stdout.split("\nby node:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    rows = [line.split()[-4:] for line in by_node]  # [emoji] name model ip count
    assert [row[:3] for row in rows] == [[n["name"], n["model"], str(n["ip"])] for n in real_plain["nodes"]]
    assert [row[0] for row in rows] == NODE_NAMES
    assert all(int(row[3]) >= 1 for row in rows)  # at least the Node component itself


def test_plan_json_to_stdout_is_only_the_plan_with_a_node_per_host(
    json_runs: tuple[subprocess.CompletedProcess[str], ...],
) -> None:
    result = json_runs[0]
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)  # the whole of stdout: no summary mixed in
    nodes = [r for r in document["resources"] if r["type"] == "goldentooth:nodes:Node"]
    assert sorted(r["name"] for r in nodes) == NODE_NAMES
    for resource in document["resources"]:
        assert {"urn", "type", "name", "parent", "dependencies", "inputs", "protect", "retainOnDelete",
                "deleteBeforeReplace", "provider"} <= set(resource)
    assert result.stderr.startswith("goldentooth plan: ")  # the summary goes to stderr instead


def test_plan_json_is_identical_across_two_processes(json_runs: tuple[subprocess.CompletedProcess[str], ...]) -> None:
    first, second = json_runs
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


def test_plan_json_to_a_file_matches_stdout(
    plan_to_file: tuple[subprocess.CompletedProcess[str], str], json_runs: tuple[subprocess.CompletedProcess[str], ...]
) -> None:
    result, text = plan_to_file
    assert result.returncode == 0, result.stderr
    assert text == json_runs[0].stdout
    assert result.stdout.startswith("goldentooth plan: ")


def test_render_writes_every_file_of_the_evaluation_under_its_node(
    tmp_path: Path, real_file_evaluation: Evaluation
) -> None:
    """The tree the command writes is exactly the evaluation's files: same paths, contents and modes."""
    out = tmp_path / "render"
    result = goldentooth("render", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    expected = {f"{f.node}/{f.path.lstrip('/')}": f for f in real_file_evaluation.files}
    written = {str(p.relative_to(out)): p for p in out.rglob("*") if p.is_file()}
    assert sorted(written) == sorted(expected)
    for rel, f in expected.items():
        assert written[rel].read_text(encoding="utf-8") == f.content
        assert oct(written[rel].stat().st_mode & 0o7777) == oct(int(f.mode, 8))
    assert f"wrote {len(expected)} files under {out}" in result.stderr
    # `shared/`: a text many nodes get by reference (components/shared_file.py), written once
    assert {rel.split("/", 1)[0] for rel in written} <= {*NODE_NAMES, "cluster", "shared"}


def test_write_files_lays_files_out_by_node_and_refuses_to_escape(tmp_path: Path, real_file_evaluation: Evaluation) -> None:
    files = (
        RenderedFile("bettley", "/etc/kubernetes/kubeadm.yaml", "kind: InitConfiguration\n", "0600"),
        RenderedFile("cluster", "manifests/metallb/pool.yaml", "kind: IPAddressPool\n", "0644"),
    )
    ev = Evaluation(real_file_evaluation.spec, (), files, False)
    assert write_files(ev, tmp_path) == 2
    assert (tmp_path / "bettley/etc/kubernetes/kubeadm.yaml").read_text() == "kind: InitConfiguration\n"
    assert (tmp_path / "bettley/etc/kubernetes/kubeadm.yaml").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "cluster/manifests/metallb/pool.yaml").exists()
    escaping = Evaluation(real_file_evaluation.spec, (), (RenderedFile("dalt", "/../../outside", "x", "0644"),), False)
    with pytest.raises(ValueError, match="escapes"):
        write_files(escaping, tmp_path / "inner")
    assert not (tmp_path / "outside").exists()


def test_a_missing_config_file_is_a_clean_error() -> None:
    result = goldentooth("plan", "--config", "does-not-exist.yaml")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "invalid goldentooth config: 1 problem",
        "  - does-not-exist.yaml: cannot be read: No such file or directory",
    ]


def test_the_default_config_is_the_real_stack_file() -> None:
    assert STACK_FILE.name == "Pulumi.goldentooth.yaml" and STACK_FILE.parent == ROOT
    assert os.access(COMMAND, os.X_OK), f"{COMMAND} is not installed: run `make venv`"
