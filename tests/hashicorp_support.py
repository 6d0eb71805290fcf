"""The Go helper that decodes rendered HashiCorp documents strictly with the Consul and Nomad API modules
(tools/hcdecode), built once per source digest into the tools cache; a missing Go fails under CI=true."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from tests.tools import missing

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tools" / "hcdecode"


def hcdecode() -> Path:
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((SOURCE / name).read_bytes())
    cache = Path(os.environ.get("GOLDENTOOTH_TOOLS", Path.home() / ".cache" / "goldentooth" / "tools"))
    binary = cache / f"hcdecode-{digest.hexdigest()[:16]}" / "hcdecode"
    if binary.exists():
        return binary
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if go is None:
        missing("go, to build tools/hcdecode", "Go 1.26 is installed on every machine of this project")
    binary.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CGO_ENABLED": "0", "GOTOOLCHAIN": "local"}
    subprocess.run([go, "build", "-trimpath", "-o", str(binary), "."], cwd=SOURCE, env=env, check=True,
                   capture_output=True, text=True, timeout=900)
    return binary
