"""Apply the node layer's registered steps to lab hosts, in dependency order, the way `pulumi up` schedules them:
a step starts once every step it depends on succeeded, independent steps run side by side, and the first
failure stops the run. `pick` chooses among the ready steps: the registration order, or a random one."""

import random
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from tests.lab.ssh import Outcome
from tests.nodes_support import Step

Runner = Callable[[Step], Outcome]


@dataclass
class Run:
    order: list[Step] = field(default_factory=list)  # in the order steps started
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # by URN
    failed: Step | None = None

    def changes(self) -> dict[str, list[str]]:
        by_step = {s.resource.name: self.outcomes[s.urn].changes for s in self.order if s.urn in self.outcomes}
        return {name: lines for name, lines in by_step.items() if lines}

    def report(self) -> str:
        if self.failed is None:
            return "ok"
        outcome = self.outcomes[self.failed.urn]
        return (f"{self.failed.resource.name} failed with {outcome.returncode} after {outcome.dials} dial(s)\n"
                f"--- stdout\n{outcome.stdout}\n--- stderr\n{outcome.stderr}")


def edges(steps: Sequence[Step]) -> dict[str, set[str]]:
    """URN -> the URNs among `steps` it depends on (edges to steps outside the selection are dropped)."""
    urns = {s.urn for s in steps}
    return {s.urn: {d for d in s.resource.dependencies if d in urns} for s in steps}


def apply(steps: Sequence[Step], run_step: Runner, *, workers: int, rng: random.Random | None = None) -> Run:
    by_urn = {s.urn: s for s in steps}
    position = {s.urn: i for i, s in enumerate(steps)}
    waiting = edges(steps)
    done: set[str] = set()
    run = Run()
    running: dict[Future[Outcome], Step] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while (waiting or running) and run.failed is None:
            ready = sorted((u for u, deps in waiting.items() if deps <= done), key=position.__getitem__)
            while ready and len(running) < workers:
                urn = ready.pop(rng.randrange(len(ready)) if rng is not None else 0)
                del waiting[urn]
                run.order.append(by_urn[urn])
                running[pool.submit(run_step, by_urn[urn])] = by_urn[urn]
            if not running:
                raise RuntimeError(f"dependency cycle among {sorted(waiting)}")
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                step = running.pop(future)
                outcome = future.result()
                run.outcomes[step.urn] = outcome
                if outcome.returncode == 0:
                    done.add(step.urn)
                elif run.failed is None:
                    run.failed = step
        for future in list(running):  # let steps already started finish before reporting
            run.outcomes[running[future].urn] = future.result()
    return run
