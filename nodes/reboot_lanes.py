"""Which nodes must finish rebooting before a node may reboot: members of one quorum go one at a time.

The Ansible era rebooted every Pi whose firmware changed at once, all three etcd members and all three
Consul/Vault/Nomad servers included. Here each quorum's members reboot in inventory order, each after the
previous member is back on its new boot. Only nodes that can have a reboot step (Raspberry Pis) take part.
"""

from itertools import pairwise

from config.spec import ClusterSpec


def quorums(spec: ClusterSpec) -> list[tuple[str, ...]]:
    """The members of every quorum the roles model marks (config/roles.py)."""
    return [q.members for q in spec.roles.quorums()]


def reboot_predecessors(spec: ClusterSpec) -> dict[str, tuple[str, ...]]:
    """node -> the nodes whose reboot must be complete before its own (each one's previous quorum member)."""
    order = {node.name: index for index, node in enumerate(spec.nodes)}
    rebootable = {node.name for node in spec.nodes if node.is_pi}
    before: dict[str, set[str]] = {node.name: set() for node in spec.nodes}
    for members in quorums(spec):
        lane = sorted({m for m in members if m in rebootable}, key=order.__getitem__)
        for previous, current in pairwise(lane):
            before[current].add(previous)
    return {name: tuple(sorted(names, key=order.__getitem__)) for name, names in before.items()}
