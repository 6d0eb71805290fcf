"""Where the tests find the real tools they run, and what happens when one is missing.

A missing tool is never a silent skip. After `make test` (which ran tools/ensure-deps.sh and sets
GOLDENTOOTH_DEPS_ENSURED=1) or under CI=true it fails the test: the dependencies were meant to be there. A bare
`pytest` on a machine without them skips with a reason that starts with MISSING_TOOL, and the session's last
line counts those skips apart from the ones made on purpose (tests/conftest.py).
"""

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent
GO_TOOLS = ROOT / "tools" / "go-tools.txt"
MISSING_TOOL = "missing tool: "
_SBIN = (Path("/usr/sbin"), Path("/sbin"))  # sshd and friends, off a non-root PATH


def deps_ensured() -> bool:
    """True where every dependency must be present: after `make test`/`make deps`, and in CI."""
    return os.environ.get("GOLDENTOOTH_DEPS_ENSURED") == "1" or os.environ.get("CI") == "true"


def missing(what: str, source: str) -> NoReturn:
    """Fail (dependencies were ensured) or skip loudly (a bare pytest), naming where the tool comes from."""
    if deps_ensured():
        pytest.fail(f"{what} ({source}) is missing although the dependencies were ensured: run `make deps`")
    pytest.skip(f"{MISSING_TOOL}{what} ({source})")


def find_program(name: str) -> str | None:
    """A program on PATH or in an sbin directory, or None."""
    found = shutil.which(name)
    if found is not None:
        return found
    return next((str(d / name) for d in _SBIN if os.access(d / name, os.X_OK)), None)


def system_tool(name: str, package: str) -> str:
    """The path of a program from a Debian package in .ci/debian-packages.txt; fails or skips when absent."""
    path = find_program(name)
    if path is None:
        missing(name, f"Debian package {package}")
    return path


def go_tool_path(name: str) -> Path:
    """Where tools/go-tool.sh puts NAME at the version tools/go-tools.txt pins (built or not)."""
    root = Path(os.environ.get("GOLDENTOOTH_TOOLS")
                or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "goldentooth" / "tools")
    lines = GO_TOOLS.read_text(encoding="utf-8").splitlines() if GO_TOOLS.is_file() else []
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 3 and fields[0] == name:
            return root / f"{name}-{fields[2]}" / name
    raise LookupError(f"{name} is not pinned in {GO_TOOLS}")


def go_tool(name: str) -> Path:
    """The built Go tool NAME; fails or skips when `make tools` has not built it."""
    path = go_tool_path(name)
    if not (os.access(path, os.X_OK) and (path.parent / ".built").is_file()):
        missing(name, f"Go-built from tools/go-tools.txt into {path.parent}")
    return path
