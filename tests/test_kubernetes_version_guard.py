"""Issue 12 item 4: a Kubernetes version move never happens silently. The rendered `kubernetes-packages` step,
run by bash with a stand-in `dpkg-query` (what the node has installed), refuses before touching apt: a bump
without `kubernetes.upgradeFrom`, a node at neither version during an upgrade, and a fresh node during an upgrade
(it would join the old control plane at the new version)."""

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from offline.evaluate import Evaluation
from tests.conftest import Edit


def _script(ev: Evaluation, node: str = "harlton") -> str:
    """The rendered step up to where it touches apt (this machine's own apt must never be touched), then a mark."""
    text = ev.file(node, "_steps/kubernetes-packages.sh")
    cut = text.index('\ngt_apt_source kubernetes ')
    return text[:cut] + "\necho PAST-GUARD\n"


def _run(script: str, installed: str | None, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`installed`: kubelet's Debian version on the node, None when it is not installed."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    answer = f"echo 'ii  {installed}'" if installed is not None else "exit 1"
    (fake / "dpkg-query").write_text(f"#!/bin/bash\n{answer}\n", encoding="utf-8")
    (fake / "dpkg-query").chmod(0o755)
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                          env={"PATH": f"{fake}:/usr/bin:/bin"}, check=False)


def _bump(upgrade_from: str | None) -> Edit:
    def edit(plain: dict[str, Any]) -> None:
        plain["versions"]["kubernetes"] = "1.32.10"
        if upgrade_from is not None:
            plain.setdefault("kubernetes", {})["upgradeFrom"] = upgrade_from

    return edit


def test_a_bump_without_upgrade_from_stops_and_says_what_to_set(
    evaluate_edited: Callable[[Edit], Evaluation], tmp_path: Path
) -> None:
    done = _run(_script(evaluate_edited(_bump(None))), "1.32.9-1.1", tmp_path)
    assert done.returncode == 1 and "PAST-GUARD" not in done.stdout
    assert ("harlton runs kubelet 1.32.9 but versions.kubernetes is 1.32.10: set "
            "goldentooth:kubernetes.upgradeFrom to 1.32.9") in done.stderr


def test_during_an_upgrade_a_fresh_node_stops_instead_of_joining_at_the_new_version(
    evaluate_edited: Callable[[Edit], Evaluation], tmp_path: Path
) -> None:
    script = _script(evaluate_edited(_bump("1.32.9")))
    fresh = _run(script, None, tmp_path)
    assert fresh.returncode == 1 and "PAST-GUARD" not in fresh.stdout
    assert "harlton has no Kubernetes packages while the cluster moves from 1.32.9 to 1.32.10" in fresh.stderr
    stray = _run(script, "1.31.4-1.1", tmp_path)
    assert stray.returncode == 1 and "neither kubernetes.upgradeFrom 1.32.9 nor versions.kubernetes 1.32.10" in (
        stray.stderr)


@pytest.mark.parametrize(("upgrade_from", "installed"), [(None, "1.32.9-1.1"), ("1.32.9", "1.32.9-1.1"),
                                                         ("1.32.9", "1.32.10-1.1")])
def test_a_node_at_an_expected_version_passes_the_guard(
    upgrade_from: str | None, installed: str, real_evaluation: Evaluation,
    evaluate_edited: Callable[[Edit], Evaluation], tmp_path: Path,
) -> None:
    ev = real_evaluation if upgrade_from is None else evaluate_edited(_bump(upgrade_from))
    done = _run(_script(ev), installed, tmp_path)
    assert done.returncode == 0 and done.stdout.strip().endswith("PAST-GUARD"), done.stderr
