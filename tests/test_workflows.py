"""The GitHub workflows: actionlint-clean, and shaped as the project needs (secrets only where the LAN runner is,
an offline job forks can run, an approved and throttled `pulumi up`)."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def _load(name: str) -> dict[str, Any]:
    document: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the `on:` key as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _action(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in _steps(workflow) if s.get("uses", "").startswith(f"{name}@"))


def _actionlint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ACTIONLINT), "-no-color", "-oneline", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)


def test_workflows_lint_clean_with_actionlint() -> None:
    result = _actionlint()
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }\n",
                      encoding="utf-8")
    result = _actionlint(str(broken))
    assert result.returncode == 1 and "broken.yaml" in result.stdout


def test_every_action_is_pinned_to_a_version_tag_or_commit() -> None:
    for path in sorted(WORKFLOWS.glob("*.yaml")):
        for step in _steps(_load(path.name)):
            if "uses" in step:
                assert re.search(r"@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$", step["uses"]), f"{path.name}: {step['uses']}"


def test_pull_requests_get_a_pulumi_preview_with_the_policy_pack_on_the_lan_runner() -> None:
    workflow = _load("preview.yaml")
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"]["pull-requests"] == "write"
    assert workflow["concurrency"]["cancel-in-progress"] is True
    job = workflow["jobs"]["preview"]
    assert job["runs-on"] == ["self-hosted", "goldentooth-lan"]
    assert "head.repo.full_name == github.repository" in job["if"]  # fork code never reaches the LAN runner
    assert job["env"]["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    pulumi = _action(workflow, "pulumi/actions")
    assert pulumi["uses"] == "pulumi/actions@v7"
    inputs = pulumi["with"]
    assert inputs["command"] == "preview" and inputs["stack-name"] == "goldentooth"
    assert inputs["comment-on-pr"] is True
    assert inputs["cloud-url"] == "${{ secrets.PULUMI_BACKEND_URL }}"
    assert inputs["policyPacks"] == "policies"
    assert (ROOT / inputs["policyPackConfigs"]).is_file()


def test_offline_job_needs_no_secrets_and_runs_tests_plan_check_and_graph() -> None:
    text = (WORKFLOWS / "offline.yaml").read_text(encoding="utf-8")
    assert "secrets." not in text
    workflow = _load("offline.yaml")
    assert "pull_request" in workflow["on"]
    job = workflow["jobs"]["offline"]
    assert "self-hosted" not in str(job["runs-on"])
    runs = "\n".join(s.get("run", "") for s in _steps(workflow))
    for command in ("make venv", "make test", "goldentooth plan --json", "goldentooth check", "goldentooth graph --format html"):
        assert command in runs, command
    upload = _action(workflow, "actions/upload-artifact")
    assert "out/graph.html" in upload["with"]["path"]


def test_up_runs_on_main_behind_an_approval_environment_with_capped_parallelism() -> None:
    workflow = _load("up.yaml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["concurrency"]["cancel-in-progress"] is False  # never kill an `up` half way
    job = workflow["jobs"]["up"]
    assert job["environment"] == "production"
    assert "self-hosted" in job["runs-on"]
    inputs = _action(workflow, "pulumi/actions")["with"]
    assert inputs["command"] == "up"
    assert 1 <= int(inputs["parallel"]) <= 16
    assert inputs["policyPacks"] == "policies"


@pytest.mark.parametrize("name", ["preview.yaml", "up.yaml"])
def test_lan_jobs_install_the_pack_from_its_pinned_requirements(name: str) -> None:
    runs = "\n".join(s.get("run", "") for s in _steps(_load(name)))
    assert "policies/venv/bin/python -m pip install --quiet -r policies/requirements.txt" in runs


def test_the_offline_job_installs_packages_from_the_one_list() -> None:
    """No second package list: the job runs the script `make test` and .ci/run share."""
    runs = "\n".join(s.get("run", "") for s in _steps(_load("offline.yaml")))
    assert "tools/ensure-deps.sh" in runs
    assert "apt-get install" not in runs
