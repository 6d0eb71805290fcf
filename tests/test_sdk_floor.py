"""The SDK floor benchmark (benchmarks/sdk_floor.py) registers what it says, with and without the fast paths."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("flags", [[], ["--sdk-paths"], ["--program-imports"]])
def test_the_sdk_floor_registers_and_counts_as_many_resources_as_asked(flags: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.sdk_floor", "23", *flags], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[0] == "sdk floor: 23 resources registered"
