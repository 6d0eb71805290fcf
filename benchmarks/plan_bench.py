"""Time `goldentooth plan` as a person runs it: a fresh process per run, so imports count.

Prints, for the real stack and for generated inventories (default 100 and 1000 nodes), the median, min and
max wall time over N runs and the peak RSS of the plan process (from `wait4`, the child's own rusage), then
the cost per added node between sizes: equal figures mean time and memory grow linearly.

    .venv/bin/python -m benchmarks.plan_bench [--runs 5] [--sizes 100,1000]
"""

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.inventory import write_scaled_stack

ROOT = Path(__file__).resolve().parent.parent
REAL_STACK = ROOT / "Pulumi.goldentooth.yaml"
COMMAND = Path(sys.executable).with_name("goldentooth")
TARGET_SECONDS = 3.0  # issue 2 §8: the real stack on a 2-core machine


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # user + system time of the process: barely moved by other load on the machine
    peak_rss_mb: float
    first_line: str


@dataclass(frozen=True)
class Result:
    label: str
    nodes: int
    runs: tuple[Run, ...]

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_rss_mb for r in self.runs)

    @property
    def resources(self) -> str:
        """`goldentooth plan: 406 resources to create ...` -> `406`."""
        words = self.runs[0].first_line.split()
        return words[2] if len(words) > 2 and words[2].isdigit() else "-"


def run_once(argv: list[str]) -> Run:
    """One fresh process; its own peak RSS comes from wait4, not from the running max of all children."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}):\n{err.read().decode()}")
        first = out.read().decode(errors="replace").splitlines()
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, first[0] if first else "")


def measure(label: str, nodes: int, argv: list[str], runs: int) -> Result:
    result = Result(label, nodes, tuple(run_once(argv) for _ in range(runs)))
    print(f"  {label:<26} {nodes:>5} {result.resources:>9} {result.median:>9.2f} "
          f"{min(r.seconds for r in result.runs):>7.2f} {max(r.seconds for r in result.runs):>7.2f} "
          f"{result.cpu:>7.2f} {result.peak_rss_mb:>9.0f}", flush=True)
    return result


def growth(results: list[Result]) -> list[str]:
    """Cost of each added node between consecutive sizes; similar figures mean linear growth."""
    lines = []
    for small, large in itertools.pairwise(results):
        added = large.nodes - small.nodes
        ms = 1000 * (large.median - small.median) / added
        cpu_ms = 1000 * (large.cpu - small.cpu) / added
        kb = 1024 * (large.peak_rss_mb - small.peak_rss_mb) / added
        lines.append(f"  {small.nodes:>5} -> {large.nodes:<5} nodes: {ms:7.2f} ms wall, {cpu_ms:7.2f} ms cpu and "
                     f"{kb:6.0f} KiB per added node")
    if len(results) >= 3:
        figures: list[tuple[str, Callable[[Result], float]]] = [
            ("cpu time", lambda r: r.cpu), ("peak memory", lambda r: r.peak_rss_mb)]
        for what, value in figures:
            first = (value(results[1]) - value(results[0])) / (results[1].nodes - results[0].nodes)
            last = (value(results[-1]) - value(results[-2])) / (results[-1].nodes - results[-2].nodes)
            if first > 0:
                lines.append(f"  {what} per added node, last step / first step: {last / first:.2f} "
                             "(1.0 = linear, above 1 = faster than linear)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="plan_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per stack (median reported; default %(default)s)")
    parser.add_argument("--sizes", default="100,1000", help="generated inventory sizes (default %(default)s)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"goldentooth plan benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
          f"{args.runs} fresh processes per stack")
    print(f"  {'stack':<26} {'nodes':>5} {'resources':>9} {'median s':>9} {'min':>7} {'max':>7} {'cpu s':>7} {'peak MiB':>9}")
    imports = measure("imports only", 0, [sys.executable, "-c", "import offline.evaluate"], args.runs)
    results = [measure("real (Pulumi.goldentooth)", 17, [str(COMMAND), "plan"], args.runs)]
    with tempfile.TemporaryDirectory(prefix="goldentooth-bench-") as tmp:
        for size in sizes:
            stack = write_scaled_stack(REAL_STACK, size, Path(tmp))
            results.append(measure(f"generated {size}", size, [str(COMMAND), "plan", "--config", str(stack)], args.runs))
    print()
    print("growth:")
    print("\n".join(growth(results)))
    real = results[0].median
    verdict = "meets" if real < TARGET_SECONDS else "MISSES"
    print(f"\nreal stack: {real:.2f} s median wall ({results[0].cpu:.2f} s cpu; importing alone {imports.median:.2f} s), "
          f"{verdict} the {TARGET_SECONDS:.0f} s target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
