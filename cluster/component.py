"""`Cluster`: the tree of every layer, built in dependency order from a validated spec."""

from dataclasses import dataclass

import pulumi

from config.secrets import SecretValues
from config.spec import ClusterSpec
from k8s.cluster import Kubernetes, KubernetesArgs
from nodes.node import Node, NodeArgs
from nodes.targets import ssh_target


@dataclass(frozen=True)
class ClusterArgs:
    spec: ClusterSpec
    secrets: SecretValues


class Cluster(pulumi.ComponentResource):
    nodes: dict[str, Node]
    kubernetes: Kubernetes

    def __init__(self, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:index:Cluster", args.spec.cluster.name, None, opts)
        spec, secrets = args.spec, args.secrets
        child = pulumi.ResourceOptions(parent=self)
        self.nodes = {
            node.name: Node(NodeArgs(node, spec, ssh_target(spec, node, secrets)), child) for node in spec.nodes
        }
        # Kubernetes: HAProxy, kubeadm, provider, cluster software, apps (k8s/cluster.py). The PKI layer's TLS
        # bundle steps and root CA, and the AWS layer's ExternalDNS key, are passed here once those layers exist.
        self.kubernetes = Kubernetes(KubernetesArgs(spec, secrets, self.nodes), child)
        self.register_outputs({"nodes": sorted(self.nodes)})
