"""The pinned-release install of Prometheus (observability/prometheus_install.sh), run for real in a private
mount namespace (tmpfs over /opt and /usr/local/bin, so this machine is untouched): a tarball whose sha256
matches the pinned one is unpacked and linked, a second run changes nothing, and a tarball that does not match
is refused before anything is unpacked. `curl` is a stand-in that serves a tarball built here from Debian's
binaries; the real nodes download the release."""

import hashlib
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from components.script import Script, render
from observability import component

SCRIPT = Script.beside(component.__file__, "prometheus_install.sh")


def _prerequisites() -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("prometheus") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("needs root, unshare and Debian's prometheus")
        pytest.skip("needs root, unshare and Debian's prometheus")


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release-shaped tarball (one top directory) of Debian's prometheus and promtool, built once."""
    _prerequisites()
    version = "3.2.1"
    path = tmp_path_factory.mktemp("release") / f"prometheus-{version}.linux-arm64.tar.gz"
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name in ("prometheus", "promtool"):
            tar.add(str(shutil.which(name)), arcname=f"prometheus-{version}.linux-arm64/{name}")
    return path


def _run(tmp: Path, sha256: str, tarball: Path, runs: int) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "curl").write_text(f'#!/bin/sh\nwhile [ "$1" != -o ]; do shift; done\ncp {tarball} "$2"\n')
    (bin_dir / "curl").chmod(0o755)
    data = tmp / "data"
    script = tmp / "step.sh"
    script.write_text(render(SCRIPT, {
        "GT_INSTALL": "release", "GT_VERSION": "3.2.1", "GT_URL": "https://example.invalid/p.tar.gz",
        "GT_SHA256": sha256, "GT_DATA": str(data), "GT_DIRS": f"{data} 0755 root root"}, "test/prometheus-install"))
    runs_text = " && echo --- && ".join([f"PATH={bin_dir}:$PATH bash {script}"] * runs)
    inner = (f"mount --make-rprivate / && mount -t tmpfs tmpfs /opt && mount -t tmpfs tmpfs /usr/local/bin && "
             f"{runs_text} && echo --- && readlink /usr/local/bin/prometheus && /usr/local/bin/promtool --version")
    return subprocess.run(["unshare", "-m", "bash", "-c", inner], capture_output=True, text=True)


def test_a_matching_release_is_unpacked_and_linked_and_a_second_run_changes_nothing(tmp_path: Path,
                                                                                   tarball: Path) -> None:
    done = _run(tmp_path, hashlib.sha256(tarball.read_bytes()).hexdigest(), tarball, runs=2)
    assert done.returncode == 0, done.stdout + done.stderr
    first, second, after = done.stdout.split("---\n")
    assert "changed: unpacked Prometheus 3.2.1 into /opt/prometheus-3.2.1" in first
    assert "changed: /usr/local/bin/promtool -> /opt/prometheus-3.2.1/promtool" in first
    assert "changed:" not in second
    assert after.startswith("/opt/prometheus-3.2.1/prometheus\n") and "promtool" in after


def test_a_tarball_that_does_not_match_the_pinned_sha256_is_refused(tmp_path: Path, tarball: Path) -> None:
    done = _run(tmp_path, "0" * 64, tarball, runs=1)
    assert done.returncode != 0
    assert "does not match the sha256 pinned in observability.prometheus.release.sha256" in done.stderr
    assert "unpacked" not in done.stdout
