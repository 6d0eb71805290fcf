"""Which nodes may be down together: the rollout's windows, a pure function of the config.

Windows run one after another. Within one, at most `rollout.maxParallel` nodes reboot, no two members of a quorum
(the role matrix's and every contributed `QuorumCheck`'s), and never the API load balancer with a control-plane
node (with both down, the cluster loses its API entry and an etcd member at once). Nodes are placed first-fit,
most constrained first, then by name, so reordering any list in the stack file changes nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from components.contributions import QuorumCheck
from config.spec import ClusterSpec


@dataclass(frozen=True)
class RolloutPlan:
    windows: tuple[tuple[str, ...], ...]  # each sorted by name

    def window_of(self, node: str) -> int | None:
        for index, members in enumerate(self.windows):
            if node in members:
                return index
        return None


def conflicts(spec: ClusterSpec, checks: Iterable[QuorumCheck]) -> dict[str, set[str]]:
    """node -> the nodes it may never share a window with."""
    apart: dict[str, set[str]] = {n.name: set() for n in spec.nodes}
    groups = [q.members for q in spec.roles.quorums()] + [c.members for c in checks]
    for members in groups:
        for a, b in combinations(sorted(set(members)), 2):
            apart[a].add(b)
            apart[b].add(a)
    lb = spec.roles.haproxy
    for cp in spec.roles.kubernetes.control_plane:
        if cp != lb:
            apart[lb].add(cp)
            apart[cp].add(lb)
    return apart


def rollout_plan(spec: ClusterSpec, checks: Iterable[QuorumCheck], nodes: Iterable[str]) -> RolloutPlan:
    """Windows for `nodes` (those that can reboot), honouring the batch size and the conflicts."""
    apart = conflicts(spec, checks)
    limit = spec.rollout.batch_size(len(spec.roles.kubernetes.workers))
    windows: list[list[str]] = []
    # The most constrained first (quorum members, the load balancer), then by name: fewer windows, same result for
    # any order of the stack file's lists.
    for node in sorted(set(nodes), key=lambda n: (-len(apart[n]), n)):
        for window in windows:
            if len(window) < limit and not apart[node] & set(window):
                window.append(node)
                break
        else:
            windows.append([node])
    return RolloutPlan(tuple(tuple(sorted(w)) for w in windows))
