"""What the storage labs share: the real stack with a lab overlay, the steps one storage component registered,
and running them over the lab's real SSH (with the test's own key pair where the plan holds a placeholder)."""

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from offline.evaluate import Evaluation, evaluate
from tests.conftest import fake_secret_values
from tests.lab.node_lab import NodeLab
from tests.lab.ssh import Outcome
from tests.nodes_support import COMMAND, Step

OVERLAYS = Path(__file__).resolve().parent / "fixtures" / "overlays"


def merge(base: dict[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """`overlay` over `base`, mapping by mapping (lists and scalars are replaced)."""
    result = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def evaluate_with_overlay(plain: dict[str, Any], name: str, extra: Mapping[str, Any] | None = None) -> Evaluation:
    """The stack with the overlay `fixtures/overlays/<name>.yaml`, and `extra` over that."""
    overlay = yaml.safe_load((OVERLAYS / f"{name}.yaml").read_text(encoding="utf-8"))
    merged = merge(merge(plain, overlay), extra or {})
    return evaluate(merged, fake_secret_values(), provider_config={"aws:region": "us-east-1"})


def component_steps(ev: Evaluation, component_type: str, nodes: Sequence[str]) -> list[Step]:
    """Every command under a component of `component_type` acting on one of `nodes`, node by node, by name."""
    by_urn = ev.by_urn()

    def under(urn: str) -> bool:
        current = by_urn.get(urn)
        while current is not None:
            if current.type == component_type:
                return True
            current = by_urn.get(current.parent)
        return False

    steps = []
    for r in ev.resources:
        if r.type != COMMAND or not under(r.parent):
            continue
        node = next((n for n in nodes if r.name.startswith(f"{n}-")), None)
        if node is not None:
            steps.append(Step(node, r.name.removeprefix(f"{node}-"), r))
    return sorted(steps, key=lambda s: (nodes.index(s.node), s.name))


def substituting_runner(lab: NodeLab, replacements: Mapping[str, str]) -> Any:
    """A step runner like `lab.run_step` whose stdin has each placeholder replaced by a real value."""
    def run(step: Step) -> Outcome:
        connection = step.connection
        stdin = step.stdin
        if stdin is not None:
            for old, new in replacements.items():
                stdin = stdin.replace(old, new)
        return lab.client.run(str(connection["user"]), str(connection["host"]), step.create, stdin=stdin,
                              dial_error_limit=int(connection.get("dialErrorLimit", 10)),
                              per_dial_timeout=float(connection.get("perDialTimeout", 15)))
    return run
