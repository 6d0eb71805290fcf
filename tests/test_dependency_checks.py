"""`make test` ensures its dependencies before any test runs (tools/ensure-deps.sh), a missing tool never skips a
test silently, and the session's last line counts the skips made on purpose."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import tools
from tests.skip_summary import summary_line
from tests.tools import MISSING_TOOL, system_tool

ROOT = Path(__file__).resolve().parent.parent
ENSURE = ROOT / "tools" / "ensure-deps.sh"
_SESSION = '''
import pytest
from tests.tools import system_tool

def test_needs_a_program_nobody_has():
    system_tool("goldentooth-no-such-program", "no-such-package")

def test_skipped_on_purpose():
    pytest.skip("only on a Tuesday")

def test_runs():
    assert True
'''


def _session(tmp_path: Path, **env: str) -> list[str]:
    (tmp_path / "test_demo.py").write_text(_SESSION, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "GOLDENTOOTH_DEPS_ENSURED")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.skip_summary",
         "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path), str(tmp_path / "test_demo.py")],
        cwd=ROOT, env={**clean, "PYTHONPATH": str(ROOT), **env}, capture_output=True, text=True, timeout=120,
        check=False)
    return done.stdout.strip().splitlines()


def test_the_last_line_counts_skips_on_purpose_after_pytests_own_closing_line(tmp_path: Path) -> None:
    lines = _session(tmp_path)
    assert lines[-2].startswith("1 passed, 2 skipped in "), lines
    assert lines[-1] == ("skipped on purpose: 1 (only on a Tuesday: 1); skipped for a missing tool: 1 "
                         "(goldentooth-no-such-program (Debian package no-such-package): 1); `make deps` installs them")


@pytest.mark.parametrize("env", [{"GOLDENTOOTH_DEPS_ENSURED": "1"}, {"CI": "true"}])
def test_a_missing_tool_fails_once_dependencies_were_ensured(tmp_path: Path, env: dict[str, str]) -> None:
    lines = _session(tmp_path, **env)
    assert lines[-2].startswith("1 failed, 1 passed, 1 skipped in "), lines
    assert lines[-1] == "skipped on purpose: 1 (only on a Tuesday: 1)"


def test_summary_groups_reasons_most_frequent_first() -> None:
    reasons = ["needs root", "x86 only", "needs root", MISSING_TOOL + "dot (Debian package graphviz)"]
    assert summary_line(reasons) == ("skipped on purpose: 3 (needs root: 2, x86 only: 1); skipped for a missing "
                                     "tool: 1 (dot (Debian package graphviz): 1); `make deps` installs them")
    assert summary_line([]) == "skipped on purpose: 0"


def _ensure(tmp_path: Path, packages: str, go_tools: str = "", *, path: str = "/usr/bin:/bin",
            as_nobody: bool = False) -> subprocess.CompletedProcess[str]:
    (tmp_path / "packages.txt").write_text(packages, encoding="utf-8")
    (tmp_path / "go-tools.txt").write_text(go_tools, encoding="utf-8")
    for directory in (tmp_path, *tmp_path.parents):  # readable by `nobody` below (pytest's base dir is 0700)
        if directory == Path(tempfile.gettempdir()):
            break
        directory.chmod(0o755)
    env = {"PATH": path, "HOME": str(tmp_path), "GOLDENTOOTH_TOOLS": str(tmp_path / "tools"),
           "GOLDENTOOTH_PACKAGE_LIST": str(tmp_path / "packages.txt"),
           "GOLDENTOOTH_GO_TOOLS": str(tmp_path / "go-tools.txt")}
    argv = ["bash", str(ENSURE)]
    if as_nobody and os.geteuid() == 0:  # root would install the package; the test is about who cannot
        argv = [system_tool("setpriv", "util-linux"), "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_installed_packages_and_built_tools_need_nothing(tmp_path: Path) -> None:
    built = tmp_path / "tools" / "demo-v1.2.3"
    built.mkdir(parents=True)
    (built / "demo").write_text("#!/bin/sh\n", encoding="utf-8")
    (built / "demo").chmod(0o755)
    (built / ".built").write_text("example.com/demo v1.2.3\n", encoding="utf-8")
    done = _ensure(tmp_path, "# comment\ndpkg  # the package manager itself\n\nbash\n",
                   "demo example.com/demo v1.2.3  # pinned\n", path="/usr/bin:/bin")
    assert (done.returncode, done.stderr) == (0, "")


def test_without_root_a_missing_package_stops_with_the_command_that_installs_it(tmp_path: Path) -> None:
    system_tool("dpkg-query", "dpkg")
    done = _ensure(tmp_path, "dpkg\ngoldentooth-no-such-package\n", as_nobody=True)
    assert done.returncode == 1
    assert "sudo apt-get install -y --no-install-recommends goldentooth-no-such-package\n" in done.stderr
    assert "dpkg " not in done.stderr.split("sudo apt-get install", 1)[1]  # only what is missing


def test_an_unbuilt_go_tool_without_go_names_make_tools(tmp_path: Path) -> None:
    assert shutil.which("go", path="/usr/bin:/bin") is None, "this test needs a PATH without Go"
    done = _ensure(tmp_path, "", "demo example.com/demo v1.2.3\n", path="/usr/bin:/bin")
    assert done.returncode == 1
    assert "not built yet: demo" in done.stderr and "make tools" in done.stderr


def test_a_malformed_go_tools_line_is_an_error(tmp_path: Path) -> None:
    done = _ensure(tmp_path, "", "demo example.com/demo\n")
    assert done.returncode == 1 and "is not 'NAME PACKAGE VERSION'" in done.stderr


def test_an_unreadable_package_list_is_an_error_not_an_empty_list(tmp_path: Path) -> None:
    done = subprocess.run(["bash", str(ENSURE), "--packages"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "GOLDENTOOTH_PACKAGE_LIST": str(tmp_path / "packages.txt")}, check=False)
    assert done.returncode == 1 and "cannot read" in done.stderr


def test_go_tools_are_found_where_go_tool_sh_puts_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = tmp_path / "go-tools.txt"
    pinned.write_text("# NAME PACKAGE VERSION\ndemo example.com/demo/cmd/demo v1.2.3  # a comment\n", encoding="utf-8")
    monkeypatch.setattr(tools, "GO_TOOLS", pinned)
    monkeypatch.setenv("GOLDENTOOTH_TOOLS", str(tmp_path / "cache"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GOLDENTOOTH_DEPS_ENSURED", raising=False)
    expected = tmp_path / "cache" / "demo-v1.2.3" / "demo"
    assert tools.go_tool_path("demo") == expected
    with pytest.raises(pytest.skip.Exception, match="missing tool: demo"):
        tools.go_tool("demo")
    monkeypatch.setenv("GOLDENTOOTH_DEPS_ENSURED", "1")
    with pytest.raises(pytest.fail.Exception, match="dependencies were ensured"):
        tools.go_tool("demo")
    expected.parent.mkdir(parents=True)
    expected.write_text("#!/bin/sh\n", encoding="utf-8")
    expected.chmod(0o755)
    (expected.parent / ".built").write_text("example.com/demo/cmd/demo v1.2.3\n", encoding="utf-8")
    assert tools.go_tool("demo") == expected
    with pytest.raises(LookupError, match="not pinned"):
        tools.go_tool_path("other")
