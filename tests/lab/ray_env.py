"""Build the Ray labs' inputs outside the checkout (`make ray-lab-env`): the stack's pinned `ray[default]`
wheels (pip download; a second run finds them) and a virtual environment installed from them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from config.load import parse_spec, read_stack_file
from tests.conftest import STACK_FILE

MARKER = ".goldentooth-complete"  # written last


def ray_env(version: str) -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "goldentooth" / f"ray-venv-{version}"


def wheels() -> Path:
    """The pinned wheels, downloaded once: the Ray install lab gives them to pip instead of an index."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "goldentooth" / "ray-wheels"


def ready(env: Path) -> bool:
    return (env / MARKER).is_file()


def main() -> int:
    plain, _ = read_stack_file(STACK_FILE)
    spec = parse_spec(plain)
    if spec.batch is None or spec.batch.ray is None:
        print("the stack has no goldentooth:batch.ray: nothing to build")
        return 0
    version = spec.batch.ray.version
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(wheels()),
                    f"ray[default]=={version}"], check=True)
    env = ray_env(version)
    if ready(env):
        print(f"{env}: ray {version} is there")
        return 0
    shutil.rmtree(env, ignore_errors=True)  # an interrupted build has no marker: start over
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    subprocess.run([str(env / "bin" / "pip"), "install", "--quiet", "--no-index", "--find-links", str(wheels()),
                    f"ray[default]=={version}"], check=True)
    (env / MARKER).write_text(f"ray[default]=={version}\n")
    print(f"{env}: ray {version} installed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
