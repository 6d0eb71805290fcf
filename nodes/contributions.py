"""What the nodes layer asks of others: every node listens for SSH (the program's own way in); the control plane's
etcd health is the quorum check its rolling reboots wait for (nodes/rollout)."""

from components.contributions import Contributions, ListenPort
from config.spec import ClusterSpec
from nodes.rollout.etcd import etcd_check


def contributions(spec: ClusterSpec) -> Contributions:
    return Contributions(listen_ports=tuple(ListenPort(n.name, 22, "tcp", "ssh", "any") for n in spec.nodes),
                         quorum_checks=(etcd_check(spec),))
