"""Time `goldentooth plan` as a person runs it: a fresh process per run, so imports count.

Prints, for `python -c "import pulumi"`, the real stack and generated inventories (default 100, 500 and 1000 nodes),
the median, min and max wall time, the CPU time (user + system, steadier on a busy machine) and the peak RSS of
each process (from `wait4`, the child's own rusage). Then the three figures issue 20 sets targets for:

- the real stack's evaluation over `import pulumi`, run alternately in the same loop (target <= 10x), beside the
  SDK's floor for as many resources (`benchmarks/sdk_floor.py`: the program's imports, then that many bare
  resources registered and nothing else), which says how much of the ratio is the SDK's and how much the program's;
- the cost per added node (over the real stack) at each size and its growth from the first size to the last
  (target <= 5%: the cost per node is constant);
- peak memory per added node at each size (linear: the same figure at every size).

    .venv/bin/python -m benchmarks.plan_bench [--runs 5] [--sizes 100,500,1000] [--large-runs 1]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.inventory import write_scaled_stack

ROOT = Path(__file__).resolve().parent.parent
REAL_STACK = ROOT / "Pulumi.goldentooth.yaml"
# `goldentooth` as `python -m`, so the code measured is this checkout's (run from a copy to measure another).
COMMAND = [sys.executable, "-m", "offline.cli"]
IMPORT_PULUMI = [sys.executable, "-c", "import pulumi"]
SDK_FLOOR = [sys.executable, "-m", "benchmarks.sdk_floor", "--program-imports"]
RATIO_TARGET = 10.0  # issue 20: real stack at most 10x `import pulumi`
GROWTH_TARGET = 0.05  # issue 20: per-node time grows by at most 5% from 100 to 1000 nodes
LARGE = 500  # sizes from here on get --large-runs runs (each takes minutes)


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
        return resource_count(self.runs[0])


def resource_count(run: Run) -> str:
    """`goldentooth plan: 406 resources to create ...` (or `sdk floor: 406 resources ...`) -> `406`."""
    words = run.first_line.split()
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


def show(result: Result) -> Result:
    print(f"  {result.label:<26} {result.nodes:>5} {result.resources:>9} {result.median:>9.2f} "
          f"{min(r.seconds for r in result.runs):>7.2f} {max(r.seconds for r in result.runs):>7.2f} "
          f"{result.cpu:>7.2f} {result.peak_rss_mb:>9.0f}", flush=True)
    return result


def side_by_side(runs: int) -> tuple[Result, Result, Result, list[float], list[float], list[float]]:
    """`import pulumi`, the real plan and the SDK's floor for as many resources alternately, so all three see the
    same load; ratios per triple."""
    baseline: list[Run] = []
    real: list[Run] = []
    floor: list[Run] = []
    for _ in range(runs):
        baseline.append(run_once(IMPORT_PULUMI))
        real.append(run_once([*COMMAND, "plan"]))
        floor.append(run_once([*SDK_FLOOR, resource_count(real[-1])]))
    wall = [r.seconds / b.seconds for b, r in zip(baseline, real, strict=True)]
    cpu = [r.cpu_seconds / b.cpu_seconds for b, r in zip(baseline, real, strict=True)]
    floor_cpu = [f.cpu_seconds / b.cpu_seconds for b, f in zip(baseline, floor, strict=True)]
    return (show(Result("python -c 'import pulumi'", 0, tuple(baseline))),
            show(Result("real (Pulumi.goldentooth)", 17, tuple(real))),
            show(Result("sdk floor (same count)", 0, tuple(floor))), wall, cpu, floor_cpu)


def per_node(real: Result, large: Result) -> tuple[float, float, float]:
    """Wall ms, CPU ms and peak KiB per node added to the real stack."""
    added = large.nodes - real.nodes
    return (1000 * (large.median - real.median) / added, 1000 * (large.cpu - real.cpu) / added,
            1024 * (large.peak_rss_mb - real.peak_rss_mb) / added)


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def main() -> int:
    parser = argparse.ArgumentParser(prog="plan_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per stack (median reported; default %(default)s)")
    parser.add_argument("--large-runs", type=int, default=1,
                        help=f"runs per generated stack of {LARGE} nodes or more (default %(default)s)")
    parser.add_argument("--sizes", default="100,500,1000", help="generated inventory sizes (default %(default)s)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"goldentooth plan benchmark: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, "
          f"{args.runs} fresh processes per stack ({args.large_runs} from {LARGE} nodes)")
    print(f"  {'stack':<26} {'nodes':>5} {'resources':>9} {'median s':>9} {'min':>7} {'max':>7} {'cpu s':>7} "
          f"{'peak MiB':>9}")
    baseline, real, floor, wall_ratios, cpu_ratios, floor_ratios = side_by_side(args.runs)
    generated = []
    with tempfile.TemporaryDirectory(prefix="goldentooth-bench-") as tmp:
        for size in sizes:
            stack = write_scaled_stack(REAL_STACK, size, Path(tmp))
            argv = [*COMMAND, "plan", "--config", str(stack)]
            runs = args.large_runs if size >= LARGE else args.runs
            generated.append(show(Result(f"generated {size}", size, tuple(run_once(argv) for _ in range(runs)))))

    print("\nper node added to the real stack:")
    figures = [per_node(real, g) for g in generated]
    for g, (wall_ms, cpu_ms, kib) in zip(generated, figures, strict=True):
        print(f"  {g.nodes:>5} nodes: {wall_ms:7.2f} ms wall, {cpu_ms:7.2f} ms cpu, {kib:6.0f} KiB peak memory")
    print("\nissue 20 targets:")
    wall_ratio, cpu_ratio = statistics.median(wall_ratios), statistics.median(cpu_ratios)
    print(f"  real stack / import pulumi: {wall_ratio:.1f}x wall ({real.median:.2f} s / {baseline.median:.2f} s), "
          f"{cpu_ratio:.1f}x cpu; {verdict(wall_ratio <= RATIO_TARGET)} the {RATIO_TARGET:.0f}x target")
    floor_ratio = statistics.median(floor_ratios)
    print(f"  the SDK's floor for {real.resources} resources (the program's imports, then bare resources and nothing "
          f"else): {floor_ratio:.1f}x cpu ({floor.cpu:.2f} s); the program's own work: {cpu_ratio - floor_ratio:.1f}x "
          f"({real.cpu - floor.cpu:.2f} s cpu, {1000 * (real.cpu - floor.cpu) / max(int(real.resources), 1):.2f} ms "
          "per resource)")
    if len(generated) >= 2:
        first, last = generated[0], generated[-1]
        (_, cpu_first, kib_first), (_, cpu_last, kib_last) = figures[0], figures[-1]
        wall_first, wall_last = figures[0][0], figures[-1][0]
        cpu_growth, wall_growth = cpu_last / cpu_first - 1, wall_last / wall_first - 1
        print(f"  per-node time {first.nodes} -> {last.nodes} nodes: {100 * cpu_growth:+.1f}% cpu "
              f"({cpu_first:.1f} -> {cpu_last:.1f} ms), {100 * wall_growth:+.1f}% wall "
              f"({wall_first:.1f} -> {wall_last:.1f} ms); {verdict(cpu_growth <= GROWTH_TARGET)} the "
              f"{100 * GROWTH_TARGET:.0f}% target (cpu: wall follows the machine's load)")
        print(f"  peak memory per node {first.nodes} -> {last.nodes} nodes: {kib_first:.0f} -> {kib_last:.0f} KiB "
              f"({100 * (kib_last / kib_first - 1):+.1f}%; linear when equal), {last.peak_rss_mb:.0f} MiB at "
              f"{last.nodes} nodes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
