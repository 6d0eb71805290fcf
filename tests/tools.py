"""Go-built tools for tests: the binary tools/go-tool.sh cached for the version tools/go-tools.txt pins.
A missing build skips the test, except under CI=true, where it fails (CI builds them with `make tools`)."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS_FILE = ROOT / "tools" / "go-tools.txt"


def pinned(name: str) -> tuple[str, str]:
    """(package, version) of tool `name` in tools/go-tools.txt."""
    for line in TOOLS_FILE.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) >= 3 and words[0] == name:
            return words[1], words[2]
    raise KeyError(f"{name} is not listed in {TOOLS_FILE}")


def tool_path(name: str) -> Path:
    _, version = pinned(name)
    root = Path(os.environ.get("GOLDENTOOTH_TOOLS") or
                Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "goldentooth" / "tools")
    binary = root / f"{name}-{version}" / name
    if not (binary.is_file() and os.access(binary, os.X_OK) and (binary.parent / ".built").is_file()):
        message = f"{name} {version} is not built: run tools/go-tool.sh {name} {' '.join(pinned(name))}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return binary
