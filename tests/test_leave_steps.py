"""The leave steps layers contribute for node removal (components/contributions.py `LeaveStep`): each names a
static script that exists, renders with its parameters like any step, and passes real shellcheck."""

import subprocess
from pathlib import Path

from cluster.registry import collect_contributions
from components.script import Script, render
from offline.evaluate import Evaluation
from tests.tools import system_tool

ROOT = Path(__file__).resolve().parent.parent


def test_every_contributed_leave_step_renders_and_passes_shellcheck(real_evaluation: Evaluation,
                                                                     tmp_path: Path) -> None:
    steps = collect_contributions(real_evaluation.spec).leave_steps
    memberships = {s.membership for s in steps}
    assert {"kubernetes", "consul", "vault", "nomad", "slurm", "seaweedfs-volume", "seaweedfs-filer",
            "seaweedfs-master", "zfs"} <= memberships, memberships
    shellcheck = system_tool("shellcheck", "shellcheck")
    files = []
    for index, step in enumerate(sorted(steps, key=lambda s: (s.membership, s.node))):
        assert step.node in {n.name for n in real_evaluation.spec.nodes} and step.run_on != ""
        text = render(Script(ROOT / step.script), dict(step.params), f"{step.run_on}/leave-{step.membership}")
        path = tmp_path / f"{index}-{step.membership}.sh"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    done = subprocess.run([shellcheck, "--shell=bash", "--format=gcc", *files], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_leaving_runs_nomad_before_vault_before_consul_on_a_server(real_evaluation: Evaluation) -> None:
    """A server drains its jobs, then leaves Vault's raft, then Consul (which the other two reach it through), and a
    remaining Consul server checks the raft without it."""
    steps = [s for s in collect_contributions(real_evaluation.spec).leave_steps
             if s.node == "fenn" and s.membership in ("nomad", "vault", "consul") and s.on_leave]
    order = [s.script for s in sorted(steps, key=lambda s: s.order)]
    assert order == ["hashicorp/nomad/leave.sh", "hashicorp/vault/leave.sh", "hashicorp/consul/leave.sh",
                     "hashicorp/consul/check_peers.sh"]
