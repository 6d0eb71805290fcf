"""Whether a node serves something: the test that decides between a fresh node's immediate reboot and a rolling
one in its window (components/reboot.py), and whether a container runtime change waits for the window.

A node is in service when it is a Kubernetes node (kubeadm wrote its kubelet.conf: joined, or the init node) or
when any TCP port its layers contribute (`ListenPort`, ssh aside) is listening. The kubelet.conf test is on
every node, whatever its roles say, so taking a node out of Kubernetes changes nothing here until it is reset. Both hold on every node of the
live cluster; neither holds on a freshly flashed one, where only sshd listens. A node whose services have all
stopped counts as fresh: taking it down takes nothing from a quorum or a workload that it still gives."""

from collections import defaultdict
from collections.abc import Iterable

from components.contributions import ListenPort

KUBELET_CONF = "/etc/kubernetes/kubelet.conf"
SSH_PORT = 22


def service_ports(ports: Iterable[ListenPort]) -> dict[str, tuple[int, ...]]:
    """Per node, the TCP ports whose listener means it serves something, sorted (one pass over the contributed
    ports for the whole inventory: a pass per node would grow with the square of it)."""
    by_node: dict[str, set[int]] = defaultdict(set)
    for p in ports:
        if p.protocol == "tcp" and p.port != SSH_PORT:
            by_node[p.node].add(p.port)
    return {node: tuple(sorted(found)) for node, found in by_node.items()}


def in_service_condition(ports: Iterable[int]) -> str:
    """A shell condition (run with bash -c) that holds while the node is in service."""
    tests = [f"[ -e {KUBELET_CONF} ]"]
    wanted = sorted(set(ports))
    if wanted:
        # `ss` filters by local port; any listener on any address counts. Without `ss` (iproute2) the node cannot
        # tell, so it counts as in service: the window is the safe way to reboot.
        expression = " or ".join(f"sport = :{p}" for p in wanted)
        tests.append(f"{{ ! command -v ss >/dev/null || ss -Hltn '( {expression} )' | grep -q .; }}")
    return " || ".join(tests)
