"""The layer's place in the real stack: on, it adds only its own resources under one component and its
contributions follow the contract; off, the plan is exactly the other layers' (nothing else changes)."""

from collections.abc import Callable
from typing import Any

from components.contributions import Contributions
from observability.contributions import contributions
from observability.contributions import contributions as observability_contributions
from offline.evaluate import Evaluation
from offline.recorder import RecordedResource
from tests.observability_support import real_spec

OBSERVABILITY = "goldentooth:observability:Observability"


def _under_observability(ev: Evaluation) -> set[str]:
    by_urn = ev.by_urn()
    inside = set()
    for r in ev.resources:
        parent: RecordedResource | None = r
        while parent is not None:
            if parent.type == OBSERVABILITY:
                inside.add(r.urn)
                break
            parent = by_urn.get(parent.parent) if parent.parent else None
    return inside


def test_turning_the_layer_off_removes_exactly_its_resources(
    real_evaluation: Evaluation, evaluate_edited: Callable[[Callable[[dict[str, Any]], None]], Evaluation]
) -> None:
    def off(plain: dict[str, Any]) -> None:
        plain["observability"] = {"enabled": False}

    without = evaluate_edited(off)
    ours = _under_observability(real_evaluation)
    assert len(ours) > len(real_evaluation.spec.nodes) + 10, "node_exporter on every node plus the Prometheus node's steps"
    # With it go the PKI layer's steps that issued the certificates it asked for, and nothing else.
    requested = {f"{c.node}-pki-cert-{c.id}" for c in observability_contributions(real_evaluation.spec).certificates}
    issued = {r.urn for r in real_evaluation.resources if r.name in requested}
    assert issued, "the layer's certificates are issued by the PKI layer"
    assert {r.urn for r in without.resources} == {r.urn for r in real_evaluation.resources} - ours - issued
    assert _under_observability(without) == set()


def test_every_node_gets_a_node_exporter_step(real_evaluation: Evaluation) -> None:
    names = {r.name for r in real_evaluation.resources}
    assert all(f"{n.name}-node-exporter" in names for n in real_evaluation.spec.nodes)


def test_contributions_name_only_inventory_nodes_and_the_haproxy_hostnames() -> None:
    spec = real_spec()
    c = contributions(spec)
    nodes = {n.name for n in spec.nodes}
    assert {node for t in c.scrape_targets for node, _ in t.endpoints} <= nodes
    assert {r.node for r in c.certificates} <= nodes and {lp.node for lp in c.listen_ports} <= nodes
    hosts = {r.name: r.hostname for r in c.http_routes}
    assert hosts == {"grafana": "grafana.services.goldentooth.net", "prometheus": "prometheus.services.goldentooth.net",
                     "loki": "loki.services.goldentooth.net", "alertmanager": "alertmanager.services.goldentooth.net"}
    assert len({(r.node, r.id) for r in c.certificates}) == len(c.certificates)


def test_a_disabled_layer_contributes_nothing() -> None:
    spec = real_spec()
    off = spec.model_copy(update={"observability": spec.observability.model_copy(update={"enabled": False})})
    assert contributions(off) == Contributions()
