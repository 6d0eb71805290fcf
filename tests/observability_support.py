"""Shared helpers of the observability tests: the real spec, its merged contributions, and the Debian tools."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from components.contributions import Contributions, QuorumCheck
from config.load import parse_spec, read_stack_file
from config.spec import ClusterSpec
from observability.contributions import contributions
from observability.existing_targets import existing_contributions, kubernetes_contributions
from offline.evaluate import Evaluation
from tests.conftest import STACK_FILE, fake_secret_values
from tests.shared_evaluations import shared_evaluate
from tests.tools import system_tool

# A quorum as a layer would contribute it (the node layer's etcd check), so the derived rule is rendered.
ETCD = QuorumCheck("etcd", ("bettley", "cargyll", "dalt"), "bettley", "true")


def real_spec() -> ClusterSpec:
    plain, _ = read_stack_file(STACK_FILE)
    return parse_spec(plain)


def merged(spec: ClusterSpec) -> Contributions:
    """What cluster/ merges, plus the Kubernetes contributions it holds back for now (so their target and rule
    are checked too) and a QuorumCheck as a layer would contribute it."""
    return (contributions(spec) + existing_contributions(spec) + kubernetes_contributions(spec)
            + Contributions(quorum_checks=(ETCD,)))


def tool(name: str, package: str) -> str:
    """A Debian tool the tests run (.ci/debian-packages.txt lists it): tests/tools.py decides fail or skip."""
    return system_tool(name, package)


def evaluate_with_certificates(plain: dict[str, Any]) -> Evaluation:
    """The real stack as it evaluates once the PKI layer reports every certificate the layers request as ready
    (here: after the node's OS steps), so Grafana, Loki and Vector are registered too."""
    import cluster.wiring as wiring
    from observability.component import ObservabilityArgs

    def with_ready(spec: ClusterSpec, nodes: Any, contributions: Contributions, secrets: Any, _: Any = None) -> Any:
        ready = {(c.node, c.id): list(nodes[c.node].os_ready) for c in contributions.certificates}
        return ObservabilityArgs(spec, nodes, contributions, secrets, ready)

    @contextmanager
    def certificates_ready() -> Iterator[None]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(wiring, "ObservabilityArgs", with_ready)
            yield

    return shared_evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"},
                           variant="certificates ready", patches=certificates_ready)
