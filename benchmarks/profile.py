"""Where an evaluation's time goes: CPU time of the imports and of the evaluation, then cProfile's top functions.

    .venv/bin/python -m benchmarks.profile [--config STACK.yaml] [--nodes N] [--sort tottime|cumulative] [--top 30]

`--nodes N` profiles the real stack grown to N nodes (benchmarks/inventory.py). cProfile slows Python code a
few times and SDK callbacks more than the rest, so confirm a finding by timing the change, not by the profile.
"""

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="profile", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "Pulumi.goldentooth.yaml")
    parser.add_argument("--nodes", type=int, help="grow the stack to this many generated nodes first")
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

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


if __name__ == "__main__":
    raise SystemExit(main())
