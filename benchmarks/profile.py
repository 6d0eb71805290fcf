"""Where an evaluation's time goes: CPU time of the imports and of the evaluation, then cProfile's top functions.

    .venv/bin/python -m benchmarks.profile [--config STACK.yaml] [--nodes N] [--sort tottime|cumulative] [--top 30]
    .venv/bin/python -m benchmarks.profile --superlinear 100,300
    .venv/bin/python -m benchmarks.profile --sampled 150,750

`--nodes N` profiles the real stack grown to N nodes (benchmarks/inventory.py). cProfile slows Python code a
few times and SDK callbacks more than the rest, so confirm a finding by timing the change, not by the profile.
`--superlinear A,B` profiles both sizes and lists the functions whose call counts grow faster than the number
of nodes: call counts are exact whatever the machine's load, so this finds quadratic code paths reliably.
`--sampled A,B` samples where one evaluation of each size spends its CPU time (a SIGPROF timer, no profiler
overhead, so C calls count at their real cost) and lists the functions whose share per resource grows: it finds
what call counts cannot, a call whose own cost grows with the stack (a set copied per added element, a scan of
every node made once per node).
"""

import argparse
import collections
import cProfile
import pstats
import signal
import tempfile
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="profile", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "Pulumi.goldentooth.yaml")
    parser.add_argument("--nodes", type=int, help="grow the stack to this many generated nodes first")
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--superlinear", help="two node counts, e.g. 100,300: functions called superlinearly")
    parser.add_argument("--sampled", help="two node counts, e.g. 150,750: functions whose time per resource grows")
    args = parser.parse_args()
    if args.sampled:
        small, large = (int(n) for n in args.sampled.split(","))
        return sampled(args.config, small, large, args.top)
    if args.superlinear:
        small, large = (int(n) for n in args.superlinear.split(","))
        return superlinear(args.config, small, large, args.top)

    start = time.process_time()
    from offline.evaluate import evaluate_file  # the imports `goldentooth plan` pays

    imported = time.process_time()
    with tempfile.TemporaryDirectory(prefix="goldentooth-profile-") as tmp:
        config: Path = args.config
        if args.nodes:
            from benchmarks.inventory import write_scaled_stack

            config = write_scaled_stack(config, args.nodes, Path(tmp))
        before = time.process_time()
        evaluate_file(config)
        evaluated = time.process_time()
        profile = cProfile.Profile()
        profile.runcall(evaluate_file, config)
    print(f"cpu: imports {imported - start:.2f} s, evaluation {evaluated - before:.2f} s (unprofiled, second "
          "import-free run profiled below)")
    pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    return 0


def _call_counts(config: Path, nodes: int, directory: Path) -> dict[str, int]:
    from benchmarks.inventory import write_scaled_stack
    from offline.evaluate import evaluate_file

    stack = write_scaled_stack(config, nodes, directory)
    profile = cProfile.Profile()
    profile.runcall(evaluate_file, stack)
    stats = pstats.Stats(profile)
    return {f"{Path(file).name}:{line}({name})": calls[1]
            for (file, line, name), calls in stats.stats.items()}  # type: ignore[attr-defined]


def superlinear(config: Path, small: int, large: int, top: int) -> int:
    with tempfile.TemporaryDirectory(prefix="goldentooth-profile-") as tmp:
        a = _call_counts(config, small, Path(tmp))
        b = _call_counts(config, large, Path(tmp))
    ratio = large / small
    rows = sorted(((b[f] / a[f], f, a[f], b[f]) for f in a if f in b and a[f] >= small and b[f] / a[f] > 1.1 * ratio),
                  reverse=True)
    print(f"functions called more than {1.1 * ratio:.2f} times as often for {ratio:.2f} times the nodes "
          f"({small} -> {large}):")
    for growth, function, calls_a, calls_b in rows[:top]:
        print(f"  {growth:6.2f}x  {calls_a:>9} -> {calls_b:>9}  {function}")
    if not rows:
        print("  none: every function's call count grows at most linearly with the inventory")
    return 0


SAMPLE_EVERY = 0.002  # seconds of process CPU time between samples


def _samples(config: Path, nodes: int, directory: Path) -> tuple[int, collections.Counter[str]]:
    """(resources, samples per innermost function) of one evaluation of the stack grown to `nodes`."""
    from benchmarks.inventory import write_scaled_stack
    from offline.evaluate import evaluate_file

    stack = write_scaled_stack(config, nodes, directory)
    counts: collections.Counter[str] = collections.Counter()

    def sample(_: int, frame: FrameType | None) -> None:
        if frame is not None:
            name = frame.f_code.co_filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            counts[f"{name}:{frame.f_code.co_name}"] += 1

    previous = signal.signal(signal.SIGPROF, sample)
    signal.setitimer(signal.ITIMER_PROF, SAMPLE_EVERY, SAMPLE_EVERY)
    try:
        evaluation = evaluate_file(stack)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, previous)
    return len(evaluation.resources), counts


def sampled(config: Path, small: int, large: int, top: int) -> int:
    with tempfile.TemporaryDirectory(prefix="goldentooth-profile-") as tmp:
        (size_a, a), (size_b, b) = _samples(config, small, Path(tmp)), _samples(config, large, Path(tmp))
    per_a = {f: 1000 * n / size_a for f, n in a.items()}
    per_b = {f: 1000 * n / size_b for f, n in b.items()}
    rows = sorted(((per_b.get(f, 0) - per_a.get(f, 0), f) for f in {*per_a, *per_b}), reverse=True)
    print(f"samples per 1000 resources ({SAMPLE_EVERY * 1000:.0f} ms of CPU each), {small} nodes ({size_a} "
          f"resources) -> {large} nodes ({size_b}): the functions whose share grows most")
    for growth, function in rows[:top]:
        if growth <= 0:
            break
        print(f"  {growth:+7.2f}  {per_a.get(function, 0):7.2f} -> {per_b.get(function, 0):7.2f}  {function}")
    print(f"  in all: {sum(per_a.values()):.1f} -> {sum(per_b.values()):.1f} (equal when the cost per resource is "
          "constant; a row that grows is a cost that grows with the stack)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
