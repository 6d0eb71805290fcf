"""Shared helpers of the observability tests: the real spec, its merged contributions, and the Debian tools."""

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from components.contributions import Contributions, QuorumCheck
from config.load import parse_spec, read_stack_file
from config.spec import ClusterSpec
from observability.contributions import contributions
from observability.existing_targets import existing_contributions, kubernetes_contributions
from offline.evaluate import Evaluation, evaluate
from tests.conftest import STACK_FILE, fake_secret_values

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
    """A Debian tool the tests run; missing is a failure under CI=true (.ci/debian-packages.txt lists it)."""
    for candidate in (shutil.which(name), f"/usr/bin/{name}", f"/usr/sbin/{name}"):
        if candidate and Path(candidate).exists():
            return candidate
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not installed (Debian package {package}, in .ci/debian-packages.txt)")
    pytest.skip(f"{name} is not installed (Debian package {package})")


def evaluate_with_certificates(plain: dict[str, Any]) -> Evaluation:
    """The real stack as it evaluates once the PKI layer reports every certificate the layers request as ready
    (here: after the node's OS steps), so Grafana, Loki and Vector are registered too."""
    import cluster.wiring as wiring
    from observability.component import ObservabilityArgs

    def with_ready(spec: ClusterSpec, nodes: Any, contributions: Contributions, secrets: Any, _: Any = None) -> Any:
        ready = {(c.node, c.id): list(nodes[c.node].os_ready) for c in contributions.certificates}
        return ObservabilityArgs(spec, nodes, contributions, secrets, ready)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wiring, "ObservabilityArgs", with_ready)
        return evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"})
