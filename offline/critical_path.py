"""The critical path of remote steps: the longest chain of SSH steps that must run one after another.

Measured on the plan's dependency graph (`offline.graph.build_graph`, where a dependency on a component means
one on every box inside it), counting only `command:remote:Command` boxes: providers, random values and
Kubernetes objects cost no SSH round trip. A step's own cost is 1; the chain ending at a resource is the longest
chain over its dependencies plus its own cost. Ties are broken by URN so the printed chain is stable.
"""

from collections import defaultdict
from dataclasses import dataclass

from offline.evaluate import Evaluation
from offline.graph import Graph, GraphNode, _topological, build_graph

REMOTE_STEP = "command:remote:Command"
# The step after which the cluster has converged: the provider reads the admin kubeconfig once every node belongs.
CONVERGED = "read-kubeconfig"


@dataclass(frozen=True)
class CriticalPath:
    chain: tuple[GraphNode, ...]  # the remote steps, first to last

    @property
    def length(self) -> int:
        return len(self.chain)

    def describe(self) -> str:
        return " → ".join(n.label for n in self.chain)


def _longest(graph: Graph) -> tuple[dict[str, int], dict[str, str | None]]:
    by_urn = {n.urn: n for n in graph.nodes}
    deps: dict[str, list[str]] = defaultdict(list)
    for a, b in graph.edges:
        deps[b].append(a)
    cost: dict[str, int] = {}
    via: dict[str, str | None] = {}
    for urn in _topological(graph):
        best: str | None = None
        for d in sorted(deps[urn]):
            if best is None or cost[d] > cost[best]:
                best = d
        own = 1 if by_urn[urn].type == REMOTE_STEP else 0
        cost[urn] = own + (cost[best] if best is not None else 0)
        via[urn] = best
    return cost, via


def critical_path(graph: Graph, ending_at: str | None = None) -> CriticalPath:
    """The longest chain of remote steps in `graph`, or the longest one ending at the box labelled `ending_at`
    (a suffix of the box's label, e.g. `read-kubeconfig`)."""
    cost, via = _longest(graph)
    by_urn = {n.urn: n for n in graph.nodes}
    if ending_at is None:
        candidates = sorted(cost)
    else:
        candidates = sorted(n.urn for n in graph.nodes if n.label.endswith(ending_at))
        if not candidates:
            raise ValueError(f"no step labelled *{ending_at} in the graph")
    end = max(candidates, key=lambda u: (cost[u], u))
    chain: list[GraphNode] = []
    at: str | None = end
    while at is not None:
        if by_urn[at].type == REMOTE_STEP:
            chain.append(by_urn[at])
        at = via[at]
    return CriticalPath(tuple(reversed(chain)))


def cluster_critical_path(ev: Evaluation) -> CriticalPath:
    """From bare nodes to a converged Kubernetes cluster (the provider's kubeconfig read)."""
    return critical_path(build_graph(ev), CONVERGED)


def stack_critical_path(ev: Evaluation) -> CriticalPath:
    """The longest chain of remote steps anywhere in the stack."""
    return critical_path(build_graph(ev))
