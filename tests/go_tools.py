"""Go-built tools (tools/go-tools.txt, built by tools/go-tool.sh into the cache) for tests that run real programs.

A test that needs one calls `require(name)`: the binary's path, or a skip naming `make tools` when it was never
built, and a failure under CI=true, where every listed tool must have been built.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "tools" / "go-tools.txt"


def cache_root() -> Path:
    explicit = os.environ.get("GOLDENTOOTH_TOOLS")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "goldentooth" / "tools"


def listed() -> dict[str, tuple[str, str]]:
    """name -> (package, version), from tools/go-tools.txt."""
    tools = {}
    for line in LIST.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            name, package, version = words[:3]
            tools[name] = (package, version)
    return tools


def path(name: str) -> Path:
    version = listed()[name][1]
    return cache_root() / f"{name}-{version}" / name


def require(name: str) -> Path:
    binary = path(name)
    if binary.is_file() and os.access(binary, os.X_OK) and (binary.parent / ".built").is_file():
        return binary
    package, version = listed()[name]
    message = f"{name} {version} is not built ({binary}); run: tools/go-tool.sh {name} {package} {version} (make tools)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
