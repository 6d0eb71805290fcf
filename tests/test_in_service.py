"""Whether a node is in service decides how it reboots (at once when fresh, in its window when serving): the
condition is real shell, run here against real listeners, and the real stack gives every node what it serves."""

import socket
import subprocess
from collections.abc import Iterator

import pytest

from cluster.registry import collect_contributions
from nodes.os.in_service import KUBELET_CONF, in_service_condition, service_ports
from offline.evaluate import Evaluation


def _holds(condition: str) -> bool:
    return subprocess.run(["bash", "-c", condition], capture_output=True, check=False).returncode == 0


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_a_listening_contributed_port_puts_a_node_in_service_and_a_silent_one_does_not(listening: int) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        silent = probe.getsockname()[1]
    assert _holds(in_service_condition([silent, listening]))
    assert not _holds(in_service_condition([silent]))
    assert not _holds(in_service_condition([]))  # nothing contributed, no kubelet.conf here: fresh


def test_a_kubernetes_node_is_in_service_once_kubeadm_wrote_its_kubelet_conf() -> None:
    condition = in_service_condition([])
    assert condition == f"[ -e {KUBELET_CONF} ]"
    assert _holds(condition.replace(KUBELET_CONF, "/")) and not _holds(condition.replace(KUBELET_CONF, "/nonexistent"))


def test_every_node_of_the_real_stack_is_told_what_it_serves(real_evaluation: Evaluation) -> None:
    """On the live cluster every node is in service (so it reboots in its window): each Kubernetes node by its
    kubelet.conf (tested on every node, whatever its roles), allyrion (no kubelet) by its HAProxy and Prometheus
    ports; ssh never counts."""
    spec = real_evaluation.spec
    ports = service_ports(collect_contributions(spec).listen_ports)
    checks = {r.name.removesuffix("-reboot-check"): r.raw_inputs["create"] for r in real_evaluation.resources
              if r.name.endswith("-reboot-check")}
    assert len(checks) == len([n for n in spec.nodes if n.is_pi])
    for node, create in checks.items():
        served = ports.get(node, ())
        assert 22 not in served
        assert KUBELET_CONF in create, node
        assert all(f"sport = :{p}" in create for p in served), node
    assert {80, 443} <= set(ports[spec.roles.haproxy])


def test_a_node_that_cannot_list_its_listeners_counts_as_in_service(listening: int) -> None:
    """Without `ss` a node cannot tell whether it serves, so it takes the safe way: its rollout window."""
    condition = in_service_condition([listening + 1 if listening < 65535 else listening - 1])
    assert not _holds(condition)
    assert _holds(f"PATH=/nonexistent; {condition}")
