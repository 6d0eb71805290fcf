"""No resource's inputs are quadratic in the inventory (issue 20): the real stack grown to 20, 30 and 40 nodes
(benchmarks/inventory.py, the benchmark's own generator), and for every resource kind (its type and name with
node names taken out):

- a kind with an instance per node (more instances as nodes are added): each instance's input bytes stay the
  same when other nodes are added. A text every node needs (the /etc/hosts list, slurm.conf) must travel by
  reference (components/shared_file.py), not inside every node's step;
- a kind whose number of instances stays the same (one HAProxy or Prometheus config for the cluster): its input
  bytes may grow with the inventory, but linearly: the same growth from 20 to 30 nodes as from 30 to 40.
"""

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.inventory import write_scaled_stack
from offline.evaluate import Evaluation, evaluate_file
from tests.conftest import STACK_FILE

SIZES = (18, 24, 30)  # equal steps: a linear total has no second difference
# Slack for a linear total's second difference: digits of addresses and names that grow a character now and then.
SLACK_BYTES = 64
SLACK_SHARE = 0.01  # of the kind's growth over the two steps


@dataclass(frozen=True)
class Sizes:
    """One evaluation's input bytes: by URN, and the URNs of each kind."""

    by_urn: dict[str, int]
    kinds: dict[str, list[str]]


def input_bytes(inputs: Mapping[str, object]) -> int:
    return len(json.dumps(inputs, sort_keys=True, separators=(",", ":")))


def sizes_of(ev: Evaluation) -> Sizes:
    names = sorted((n.name for n in ev.spec.nodes), key=len, reverse=True)
    node = re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, names)) + r")(?![a-z0-9])")
    kinds: dict[str, list[str]] = defaultdict(list)
    by_urn = {}
    for r in ev.resources:
        by_urn[r.urn] = input_bytes(r.inputs)
        kinds[f"{r.type}::{node.sub('<node>', r.name)}"].append(r.urn)
    return Sizes(by_urn, dict(kinds))


def growing_instances(small: Sizes, large: Sizes) -> list[str]:
    """Instances of per-node kinds whose inputs grew when nodes were added: `<urn>: <before> -> <after>`."""
    found = []
    for kind, urns in small.kinds.items():
        if len(large.kinds.get(kind, [])) <= len(urns):
            continue  # not a kind that gains instances with nodes
        for urn in urns:
            before, after = small.by_urn[urn], large.by_urn.get(urn)
            if after is not None and after > before:
                found.append(f"{urn}: {before} -> {after} bytes")
    return found


def superlinear_kinds(a: Sizes, b: Sizes, c: Sizes) -> list[str]:
    """Kinds with as many instances at every size whose total input bytes grow faster than linearly."""
    found = []
    for kind, urns in a.kinds.items():
        if not len(urns) == len(b.kinds.get(kind, [])) == len(c.kinds.get(kind, [])):
            continue
        total = [sum(s.by_urn[u] for u in s.kinds[kind]) for s in (a, b, c)]
        second = total[2] - 2 * total[1] + total[0]
        if second > SLACK_BYTES + SLACK_SHARE * (total[2] - total[0]):
            found.append(f"{kind}: {total[0]} / {total[1]} / {total[2]} bytes (second difference {second})")
    return found


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Sizes]:
    directory = tmp_path_factory.mktemp("scaled")
    return {n: sizes_of(evaluate_file(write_scaled_stack(STACK_FILE, n, directory))) for n in SIZES}


def test_no_node_inputs_grow_when_other_nodes_are_added(scaled: dict[int, Sizes]) -> None:
    small, large = scaled[SIZES[0]], scaled[SIZES[-1]]
    per_node = [k for k, urns in small.kinds.items() if len(large.kinds.get(k, [])) > len(urns)]
    assert any("identity" in k for k in per_node) and any("hosts-upload" in k for k in per_node)
    grown = growing_instances(small, large)
    assert grown == [], "inputs that carry something of every node (ship it by reference):\n" + "\n".join(grown)


def test_cluster_wide_inputs_grow_linearly_with_the_inventory(scaled: dict[int, Sizes]) -> None:
    found = superlinear_kinds(*(scaled[n] for n in SIZES))
    assert found == [], "cluster-wide resources whose inputs grow faster than the inventory:\n" + "\n".join(found)


def _sizes(kinds: dict[str, dict[str, int]]) -> Sizes:
    return Sizes({u: b for urns in kinds.values() for u, b in urns.items()},
                 {k: list(urns) for k, urns in kinds.items()})


def test_the_checks_catch_a_list_of_every_node_in_each_node_and_a_quadratic_singleton() -> None:
    """What the two tests rely on, with sizes built by hand: each node's step holding every node's line (as the
    identity step's /etc/hosts block once did) is caught, and so is one resource holding every pair of nodes."""
    def stack(n: int, per_node_line: int, pair_bytes: int) -> Sizes:
        return _sizes({
            "<node>-identity": {f"n{i}-identity": 500 + per_node_line * n for i in range(n)},
            "<node>-clock": {f"n{i}-clock": 300 for i in range(n)},
            "prometheus": {"prometheus": 1000 + 40 * n + pair_bytes * n * n},
        })

    quadratic = [stack(n, 50, 0) for n in SIZES]
    assert len(growing_instances(quadratic[0], quadratic[2])) == SIZES[0]
    assert all("identity" in line for line in growing_instances(quadratic[0], quadratic[2]))
    linear = [stack(n, 0, 0) for n in SIZES]
    assert growing_instances(linear[0], linear[2]) == [] and superlinear_kinds(*linear) == []
    pairs = [stack(n, 0, 8) for n in SIZES]  # 8 bytes per pair of nodes: less than one address
    assert [line.split(":")[0] for line in superlinear_kinds(*pairs)] == ["prometheus"]


def test_the_hosts_list_and_slurm_conf_are_shipped_once_per_stack_not_inside_steps(
    real_evaluation: Evaluation,
) -> None:
    shared = sorted(Path(f.path).name.rsplit("-", 1)[0] for f in real_evaluation.files if f.node == "shared")
    assert shared == ["gres.conf", "hosts", "slurm.conf"]
    for r in real_evaluation.resources:
        if r.type == "command:remote:Command" and r.name.endswith("-identity"):
            assert "nodes.goldentooth.net" not in json.dumps(r.inputs), r.name
