"""One build function per layer: what it needs from the layers before it, as its Args.

This is the only place that knows several layers at once. Each function takes the `LayerContext` and returns the
layer's component (or what stands for it: the nodes layer is one `Node` per host; a layer that is off returns
None). `cluster/registry.py` lists them in build order.
"""

from typing import TYPE_CHECKING

import pulumi

from aws.cloud import AwsCloud, AwsCloudArgs
from aws.records import cluster_records, merge_records
from cloudflare.build import CloudflareArgs, build_cloudflare
from cloudflare.routes import PublicRoute
from cluster.context import LayerContext
from edge.component import HaproxyArgs, HaproxyLoadBalancer
from edge.inputs import haproxy_inputs
from k8s.cluster import TYPE as KUBERNETES_TYPE
from k8s.cluster import Kubernetes, KubernetesArgs
from nodes.node import Node, NodeArgs
from nodes.reboot_lanes import reboot_predecessors
from nodes.targets import ssh_target

if TYPE_CHECKING:
    from cloudflare.tunnel import CloudflareTunnel


def nodes(ctx: LayerContext) -> dict[str, Node]:
    """A `Node` per host, in inventory order: a node's reboot waits for the previous member of each of its quorums
    to be back (nodes/reboot_lanes.py), and those members come earlier in the inventory."""
    spec = ctx.spec
    lanes = reboot_predecessors(spec)
    built: dict[str, Node] = {}
    for node in spec.nodes:
        reboot_after = tuple(d for p in lanes[node.name] if (d := built[p].reboot_done) is not None)
        built[node.name] = Node(node.name, NodeArgs(node, spec, ssh_target(spec, node, ctx.secrets), reboot_after),
                                ctx.opts)
    return built


def edge(ctx: LayerContext) -> HaproxyLoadBalancer:
    """HAProxy on the load-balancer node, from every layer's TCP and HTTP routes. The PKI layer's TLS bundle steps
    go into `tls_ready` once that layer exists."""
    spec = ctx.spec
    former_parent = pulumi.create_urn(spec.cluster.name, KUBERNETES_TYPE, parent=ctx.cluster)
    return HaproxyLoadBalancer(
        spec.roles.haproxy,
        HaproxyArgs(
            ctx.nodes[spec.roles.haproxy],
            haproxy_inputs(spec, ctx.contributions),
            ctx.secrets.output("haproxyStatsPassword"),
            former_parent=former_parent,
        ),
        ctx.opts,
    )


def aws(ctx: LayerContext) -> AwsCloud:
    """Route53 (the cluster's records and every layer's), ACM, CloudFront, the Vault seal key, buckets, alarms."""
    spec = ctx.spec
    records = merge_records(cluster_records(spec), ctx.contributions.dns_records, spec.domains.base)
    return AwsCloud("aws", AwsCloudArgs(spec.aws, spec.cluster.name, spec.domains.base, records), ctx.opts)


def kubernetes(ctx: LayerContext) -> Kubernetes:
    """kubeadm behind the edge's API frontend, then the cluster software and apps. The PKI layer's root CA goes
    into `root_ca_pem` once that layer exists."""
    return Kubernetes(
        ctx.spec.cluster.name,
        KubernetesArgs(
            ctx.spec,
            ctx.secrets,
            ctx.nodes,
            api_ready=[ctx.layer("edge", HaproxyLoadBalancer).ready],
            external_dns_credentials=ctx.layer("aws", AwsCloud).external_dns_credentials,
        ),
        ctx.opts,
    )


def cloudflare(ctx: LayerContext) -> "CloudflareTunnel | None":
    """The tunnel for apps marked public plus config routes; off: nothing registered, the SDK not even imported."""
    apps = ctx.layer("k8s", Kubernetes).apps.values()
    public_apps = tuple(PublicRoute(app.public_hostname, app.service_url) for app in apps if app.public)
    return build_cloudflare(CloudflareArgs(ctx.spec.cloudflare, ctx.secrets.output("cloudflareApiToken"), public_apps),
                            ctx.opts)
