"""`Cluster`: the tree of every layer, built in dependency order from a validated spec."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from aws.cloud import AwsCloud, AwsCloudArgs
from aws.records import cluster_records
from cloudflare.build import CloudflareArgs, build_cloudflare
from cloudflare.routes import PublicRoute
from config.secrets import SecretValues
from config.spec import ClusterSpec
from k8s.cluster import Kubernetes, KubernetesArgs
from nodes.node import Node, NodeArgs
from nodes.reboot_lanes import reboot_predecessors
from nodes.targets import ssh_target

if TYPE_CHECKING:
    from cloudflare.tunnel import CloudflareTunnel


@dataclass(frozen=True)
class ClusterArgs:
    spec: ClusterSpec
    secrets: SecretValues


class Cluster(pulumi.ComponentResource):
    nodes: dict[str, Node]
    kubernetes: Kubernetes
    aws: AwsCloud

    def __init__(self, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:index:Cluster", args.spec.cluster.name, None, opts)
        spec, secrets = args.spec, args.secrets
        child = pulumi.ResourceOptions(parent=self)
        # Nodes in inventory order: a node's reboot waits for the previous member of each of its quorums to be
        # back (nodes/reboot_lanes.py), and those members come earlier in the inventory.
        lanes = reboot_predecessors(spec)
        self.nodes = {}
        for node in spec.nodes:
            reboot_after = tuple(d for p in lanes[node.name] if (d := self.nodes[p].reboot_done) is not None)
            self.nodes[node.name] = Node(NodeArgs(node, spec, ssh_target(spec, node, secrets), reboot_after), child)
        # Cloud edge (aws/): records for the API endpoint (the HAProxy node) and every node, ACM, CloudFront, the
        # Vault seal key and its IAM user, data buckets, health alarms, and ExternalDNS's IAM key for Kubernetes.
        api_endpoint = spec.node(spec.roles.haproxy).ip
        self.aws = AwsCloud(
            AwsCloudArgs(spec.aws, spec.cluster.name, spec.domains.base, cluster_records(spec, api_endpoint)), child
        )
        # Kubernetes: HAProxy, kubeadm, provider, cluster software, apps (k8s/cluster.py). The PKI layer's TLS
        # bundle steps and root CA are passed here once that layer exists.
        self.kubernetes = Kubernetes(
            KubernetesArgs(spec, secrets, self.nodes, external_dns_credentials=self.aws.external_dns_credentials), child
        )
        # Cloudflare tunnel (cloudflare/) for apps marked public plus config routes; when the section is off,
        # nothing is registered and the Cloudflare SDK is not even imported.
        public_apps = tuple(
            PublicRoute(app.public_hostname, app.service_url) for app in self.kubernetes.apps.values() if app.public
        )
        # Annotated here, not on the class: Pulumi evaluates class annotations at runtime, and the tunnel type
        # is imported for the type checker only.
        self.cloudflare: CloudflareTunnel | None = build_cloudflare(
            CloudflareArgs(spec.cloudflare, secrets.output("cloudflareApiToken"), public_apps), child
        )
        # --- batch layer (batch/): Slurm, Lmod modules, Ray, Ollama; only when goldentooth:batch is set. ---
        from batch.component import Batch, BatchArgs

        self.batch: Batch | None = Batch("batch", BatchArgs(spec, self.nodes), child) if spec.batch else None
        # --- end batch layer ---
        self.register_outputs({"nodes": sorted(self.nodes)})
