"""The Pulumi SDK's own floor: what registering N resources costs when the program does nothing else.

    .venv/bin/python -m benchmarks.sdk_floor N [--sdk-paths] [--program-imports]

Registers N bare `command:remote:Command`s (one host, one `create`, no parents, no dependencies, no secrets)
under the SDK's own `MockMonitor`, with the collector off and the heap frozen at exit as `goldentooth plan`
runs. It imports `pulumi` and `pulumi_command` only: no config, no provider SDK beyond the one resource type,
none of the program. By default the offline evaluator's SDK fast paths (`offline/sdk_cost.py`) are installed,
the cheapest the SDK's registration path gets here; `--sdk-paths` leaves the SDK exactly as shipped.
`--program-imports` first imports what `goldentooth plan` imports (the program's modules and the provider SDKs
they use), so the figure is what a plan costs before the program does any work of its own.
`benchmarks.plan_bench` runs it with the real stack's resource count beside `import pulumi`: any program of
that many resources evaluated through the SDK costs at least this much.
"""

import argparse
import gc

gc.disable()  # as `goldentooth plan` (offline/cli.py run): from the first import on

import pulumi  # noqa: E402
import pulumi_command.remote as remote  # noqa: E402
from pulumi.runtime import mocks  # noqa: E402
from pulumi.runtime.stack import run_pulumi_func  # noqa: E402
from pulumi.runtime.sync_await import _sync_await  # noqa: E402


class BareMocks(mocks.Mocks):
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, object]]:
        return f"{args.name}-id", {}

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, object], list[tuple[str, str]]]:
        return {}, []


def register(count: int) -> int:
    """Register `count` bare resources; how many the monitor saw (so the figure printed is counted, not assumed)."""
    monitor = mocks.MockMonitor(BareMocks())
    pulumi.runtime.set_mocks(monitor.mocks, project="floor", stack="floor", monitor=monitor)

    def program() -> None:
        for index in range(count):
            remote.Command(f"step-{index}", connection=remote.ConnectionArgs(host="10.4.0.10"), create="true")

    _sync_await(run_pulumi_func(program))
    return sum(1 for urn in monitor.resources if "command:remote:Command::" in urn)


def main() -> int:
    parser = argparse.ArgumentParser(prog="sdk_floor", description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many resources to register")
    parser.add_argument("--sdk-paths", action="store_true", help="the SDK as shipped, without the fast paths")
    parser.add_argument("--program-imports", action="store_true",
                        help="import the program's modules and provider SDKs first, as `goldentooth plan` does")
    args = parser.parse_args()
    if args.program_imports:
        import offline.evaluate  # noqa: F401 - the imports are the point (it installs the fast paths too)
    if not args.sdk_paths:
        from offline import sdk_cost

        sdk_cost.install_all()
    registered = register(args.count)
    print(f"sdk floor: {registered} resources registered")
    gc.freeze()  # the interpreter's final collections skip the heap, as in `goldentooth plan`
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
