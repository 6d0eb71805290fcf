"""Time how long `goldentooth plan` takes to reject a 10,000-node stack with one mistake in its last node.

The real stack grows to N nodes (benchmarks/inventory.py) on a /16 node network and a /12 pod range (room for
every node and a Calico block each), and the last node takes the first one's IP. Each run is a fresh process;
the report gives wall and CPU time (CPU barely moves with other load on the machine) and checks the exit
code and the single expected message.

    .venv/bin/python -m benchmarks.reject_bench [--nodes 10000] [--runs 3]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.inventory import scaled_config

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "offline.cli"]


def write_rejected_stack(nodes: int, directory: Path) -> Path:
    document = yaml.safe_load((ROOT / "Pulumi.goldentooth.yaml").read_text(encoding="utf-8"))
    config = document["config"]
    config["goldentooth:network"]["nodes"] = "10.4.0.0/16"
    config["goldentooth:network"]["pods"] = "10.64.0.0/12"
    config = scaled_config(config, nodes)
    config["goldentooth:nodes"][-1]["ip"] = config["goldentooth:nodes"][0]["ip"]
    document["config"] = config
    path = directory / f"Pulumi.reject-{nodes}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(stack: Path) -> tuple[float, float, str]:
    start = time.perf_counter()
    process = subprocess.Popen([*COMMAND, "plan", "--config", str(stack)], cwd=Path.cwd(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    assert process.stderr is not None
    err = process.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 2:
        raise SystemExit(f"expected exit 2, got {os.waitstatus_to_exitcode(status)}:\n{err}")
    return seconds, usage.ru_utime + usage.ru_stime, err


def main() -> int:
    parser = argparse.ArgumentParser(prog="reject_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="goldentooth-reject-") as tmp:
        stack = write_rejected_stack(args.nodes, Path(tmp))
        size = stack.stat().st_size
        results = [run(stack) for _ in range(args.runs)]
    walls, cpus = [r[0] for r in results], [r[1] for r in results]
    print(f"reject {args.nodes} nodes ({size / 2**20:.1f} MiB): "
          f"median {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s cpu "
          f"over {args.runs} runs (load average {os.getloadavg()[0]:.2f})")
    print(results[0][2].strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
