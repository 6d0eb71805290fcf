"""The rendered join-credentials step, run by real bash with recording stand-ins for kubectl and kubeadm on PATH
(the SSH lab has no API server): what it asks the cluster, in which order, and that the secrets it gets on stdin
never reach a command line.

- a new node: the certificates are uploaded (control plane only) from a private config file, then the token is
  applied with a two-hour expiry;
- a joined node whose registered address differs from config: refused before anything is uploaded or applied,
  naming both addresses and the README's procedure;
- the same node at its registered address (a reflashed node rejoining): renewed like a new one.
"""

import os
import subprocess
from pathlib import Path

import pytest

from offline.evaluate import Evaluation

TOKEN = "abcdef.0123456789abcdef"
KEY = "0f" * 32

KUBECTL = """#!/bin/bash
printf 'kubectl %s\\n' "$*" >> "$GT_TEST_LOG"
if [[ " $* " == *" get node "* ]]; then
  printf '%s' "${GT_TEST_REGISTERED_IP:-}"
  exit 0
fi
if [[ " $* " == *" apply "* ]]; then
  cat > "$GT_TEST_DIR/applied.yaml"
fi
"""
KUBEADM = """#!/bin/bash
printf 'kubeadm %s\\n' "$*" >> "$GT_TEST_LOG"
for ((i = 1; i <= $#; i++)); do
  if [ "${!i}" = "--config" ]; then
    next=$((i + 1))
    cp "${!next}" "$GT_TEST_DIR/upload-certs.yaml"
    stat -c %a "${!next}" > "$GT_TEST_DIR/upload-certs.mode"
  fi
done
"""


def _run(ev: Evaluation, node: str, tmp_path: Path, registered: str = "") -> tuple[subprocess.CompletedProcess[str], str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, text in (("kubectl", KUBECTL), ("kubeadm", KUBEADM)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    script = tmp_path / "credentials.sh"
    script.write_text(ev.file(ev.spec.roles.kubernetes.control_plane[0], f"_steps/join-credentials-for-{node}.sh"))
    log = tmp_path / "calls.log"
    log.write_text("")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "GT_TEST_LOG": str(log),
           "GT_TEST_DIR": str(tmp_path), "GT_TEST_REGISTERED_IP": registered}
    done = subprocess.run(["bash", str(script)], input=f"{TOKEN}\n{KEY}\n", capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    return done, log.read_text()


@pytest.mark.parametrize("node", ["cargyll", "fenn"])
def test_a_new_node_gets_fresh_credentials_with_secrets_off_every_command_line(
    real_evaluation: Evaluation, tmp_path: Path, node: str
) -> None:
    done, calls = _run(real_evaluation, node, tmp_path)
    assert done.returncode == 0, done.stderr
    assert TOKEN not in calls and KEY not in calls and "0123456789abcdef" not in calls
    applied = (tmp_path / "applied.yaml").read_text()
    assert "token-id: \"abcdef\"" in applied and "token-secret: \"0123456789abcdef\"" in applied
    assert "expiration: \"20" in applied
    assert "changed: bootstrap token valid until" in done.stdout
    control_plane = node in real_evaluation.spec.roles.kubernetes.control_plane
    uploads = [c for c in calls.splitlines() if c.startswith("kubeadm init phase upload-certs --upload-certs")]
    assert len(uploads) == (1 if control_plane else 0), calls
    if control_plane:
        assert f'certificateKey: "{KEY}"' in (tmp_path / "upload-certs.yaml").read_text()
        assert (tmp_path / "upload-certs.mode").read_text().strip() == "600"
        assert calls.index("upload-certs") < calls.index(" apply "), "certificates before the token that opens them"


def test_a_joined_node_whose_address_moved_is_refused_before_anything_is_renewed(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    done, calls = _run(real_evaluation, "cargyll", tmp_path, registered="10.4.0.99")
    assert done.returncode != 0
    ip = str(real_evaluation.spec.node("cargyll").ip)
    assert f"registered with the address 10.4.0.99 but config gives it {ip}" in done.stderr
    assert "Changing a node's address" in done.stderr
    assert "upload-certs" not in calls and " apply " not in calls and "changed:" not in done.stdout


def test_a_reflashed_node_at_its_registered_address_is_renewed_like_a_new_one(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    done, calls = _run(real_evaluation, "fenn", tmp_path, registered=str(real_evaluation.spec.node("fenn").ip))
    assert done.returncode == 0, done.stderr
    assert " apply " in calls


def test_the_join_skips_a_node_that_belongs_and_joins_one_that_does_not(real_evaluation: Evaluation) -> None:
    """A reflashed node has no kubelet.conf: the join runs kubeadm join again (and nothing resets a node)."""
    join = real_evaluation.file("fenn", "_steps/kubeadm-join.sh")
    assert join.index("if [ -f /etc/kubernetes/kubelet.conf ]") < join.index("kubeadm join --config")
    assert "export GT_CREDENTIALS=bettley-join-credentials-for-fenn\n" in join
