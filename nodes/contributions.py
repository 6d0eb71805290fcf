"""What the nodes layer asks of others: every node listens for SSH (the program's own way in)."""

from components.contributions import Contributions, ListenPort
from config.spec import ClusterSpec


def contributions(spec: ClusterSpec) -> Contributions:
    return Contributions(listen_ports=tuple(ListenPort(n.name, 22, "tcp", "ssh", "any") for n in spec.nodes))
