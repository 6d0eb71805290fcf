"""Reading the node layer's rollout out of an evaluation: step lookup by name and transitive dependencies."""

from functools import cache

from cluster.registry import collect_contributions
from nodes.rollout.plan import RolloutPlan, rollout_plan
from offline.evaluate import Evaluation
from offline.recorder import RecordedResource


class Graph:
    def __init__(self, ev: Evaluation) -> None:
        self.ev = ev
        self.by_urn = ev.by_urn()
        self.by_name = {r.name: r for r in ev.resources if r.type == "command:remote:Command"}

    def step(self, name: str) -> RecordedResource:
        return self.by_name[name]

    def after(self, later: str, earlier: str) -> bool:
        """`later` runs only after `earlier` (a path of dependency edges)."""
        return self.by_name[earlier].urn in self._ancestors(self.by_name[later].urn)

    def ancestors(self, name: str) -> set[str]:
        """The names of the remote steps `name` waits for."""
        urns = self._ancestors(self.by_name[name].urn)
        return {r.name for r in self.by_name.values() if r.urn in urns}

    def _ancestors(self, urn: str) -> frozenset[str]:
        return _ancestors(self, urn)


@cache
def _ancestors(graph: Graph, urn: str) -> frozenset[str]:
    found: set[str] = set()
    stack = list(graph.by_urn[urn].dependencies)
    while stack:
        current = stack.pop()
        if current in found or current not in graph.by_urn:
            continue
        found.add(current)
        stack.extend(graph.by_urn[current].dependencies)
    return frozenset(found)


def plan_of(ev: Evaluation) -> RolloutPlan:
    spec = ev.spec
    return rollout_plan(spec, collect_contributions(spec).quorum_checks, [n.name for n in spec.nodes])
