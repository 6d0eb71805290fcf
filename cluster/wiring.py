"""One build function per layer: what it needs from the layers before it, as its Args.

This is the only place that knows several layers at once. Each function takes the `LayerContext` and returns the
layer's component (or what stands for it: the nodes layer is one `Node` per host; a layer that is off returns
None). `cluster/registry.py` lists them in build order.
"""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pulumi

from aws.cloud import AwsCloud, AwsCloudArgs
from aws.records import cluster_records, merge_records
from batch.component import Batch, BatchArgs
from cloudflare.build import CloudflareArgs, build_cloudflare
from cloudflare.routes import PublicRoute
from cluster.context import LayerContext
from edge.component import HaproxyArgs, HaproxyLoadBalancer
from edge.inputs import haproxy_inputs
from hashicorp.layer import Hashicorp, HashicorpArgs
from hashicorp.vault.component import SealAccess
from k8s.cluster import TYPE as KUBERNETES_TYPE
from k8s.cluster import Kubernetes, KubernetesArgs
from lifecycle.component import Lifecycle, LifecycleArgs
from lifecycle.forget import Forget, ForgetArgs, forget_steps
from nodes.node import Node, NodeArgs
from nodes.os.in_service import in_service_condition, service_ports
from nodes.targets import ssh_target
from observability.component import Observability, ObservabilityArgs
from observability.existing_targets import existing_contributions
from pki.component import Pki, PkiArgs
from rollout.component import Rollout, RolloutArgs
from storage.component import Storage, StorageArgs

if TYPE_CHECKING:
    from cloudflare.tunnel import CloudflareTunnel


def nodes(ctx: LayerContext) -> dict[str, Node]:
    """A `Node` per host, in inventory order, registered up to its rolling part: a fresh node reboots at once, a node
    in service (a Kubernetes node, or one whose contributed ports listen) waits for the rollout layer."""
    spec = ctx.spec
    ports = service_ports(ctx.contributions.listen_ports)
    built = {node.name: Node(node.name, NodeArgs(
        node, spec, ssh_target(spec, node, ctx.secrets),
        in_service_condition(ports.get(node.name, ())), complete=False),
        ctx.opts) for node in spec.nodes}
    # A rebuilt node's old incarnation is forgotten by the remaining members before any layer joins it again.
    targets = {name: n.target for name, n in built.items()}
    for name, steps in forget_steps(ctx.contributions.leave_steps, spec.lifecycle.generations).items():
        late = {step.secret: ctx.late_secrets.get(step.secret) for step in steps if step.secret}
        forget = Forget(f"{name}-forget", ForgetArgs(name, spec.lifecycle.generations[name], tuple(steps), targets,
                                                     late), ctx.opts)
        built[name].booted.extend(forget.steps)
    return built


def rollout(ctx: LayerContext) -> Rollout:
    """The rolling reboots of nodes in service, window by window, each after its window's quorum gates (every
    layer's `QuorumCheck`) and Kubernetes drains, once the bootstrap layers before it are done; it completes every
    node, so the layers after it wait for their node's rolling reboot (`Node.os_ready`)."""
    bootstrap = [layer for name in BOOTSTRAP_LAYERS if isinstance(layer := ctx.built.get(name), pulumi.Resource)]
    return Rollout("rollout", RolloutArgs(ctx.spec, ctx.contributions.quorum_checks, ctx.nodes, bootstrap), ctx.opts)


# The layers built before the rollout (cluster/registry.py): their steps use `Node.booted`, and the rollout starts
# once they are done.
BOOTSTRAP_LAYERS = ("pki", "edge", "k8s")


def issued(ctx: LayerContext) -> Mapping[tuple[str, str], pulumi.Resource]:
    """(node, certificate id) -> the PKI step after which that certificate is on the node; empty when PKI is off."""
    pki_layer = ctx.optional("pki", Pki)
    return pki_layer.issued if pki_layer is not None else {}


def pki(ctx: LayerContext) -> Pki | None:
    """Step-CA on its node, trust everywhere, and every certificate any layer asked for (merged contributions)."""
    spec = ctx.spec
    if not spec.pki.enabled:
        return None
    return Pki("pki", PkiArgs(spec, ctx.nodes, ctx.contributions.certificates,
                              ctx.secrets.output("autheliaArgocdClientSecret")), ctx.opts)


def edge(ctx: LayerContext) -> HaproxyLoadBalancer:
    """HAProxy on the load-balancer node, from every layer's TCP and HTTP routes; the HTTPS router waits for the
    PKI layer's bundle (edge/contributions.py asks for it), and is not deployed without one."""
    spec = ctx.spec
    former_parent = pulumi.create_urn(spec.cluster.name, KUBERNETES_TYPE, parent=ctx.cluster)
    bundle = issued(ctx).get((spec.roles.haproxy, "haproxy"))
    return HaproxyLoadBalancer(
        spec.roles.haproxy,
        HaproxyArgs(
            ctx.nodes[spec.roles.haproxy],
            haproxy_inputs(spec, ctx.contributions),
            ctx.secrets.output("haproxyStatsPassword"),
            tls_ready=(bundle,) if bundle is not None else (),
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
            root_ca_pem=pki_layer.root_pem if (pki_layer := ctx.optional("pki", Pki)) is not None else None,
            external_dns_credentials=ctx.layer("aws", AwsCloud).external_dns_credentials,
        ),
        ctx.opts,
    )


def hashicorp(ctx: LayerContext) -> Hashicorp | None:
    """Consul, Vault on the AWS layer's KMS key and Nomad, with the PKI's certificates and every layer's services."""
    spec = ctx.spec
    if not spec.hashicorp.enabled:
        return None
    seal = ctx.layer("aws", AwsCloud).vault_seal
    access = SealAccess(seal.alias, seal.region, seal.access_key_id, seal.secret_access_key,
                        spec.hashicorp.vault.kms_endpoint)
    return Hashicorp("hashicorp", HashicorpArgs(spec, ctx.secrets, ctx.nodes, access,
                                                ctx.contributions.consul_services, issued(ctx)), ctx.opts)


def storage(ctx: LayerContext) -> Storage:
    """Disks, ZFS, SeaweedFS (its CSI driver through the Kubernetes provider) and Ceph."""
    k8s = ctx.layer("k8s", Kubernetes)
    seaweedfs: dict[str, list[pulumi.Resource]] = {}
    for (node, cert_id), step in issued(ctx).items():
        if cert_id.startswith("seaweedfs"):
            seaweedfs.setdefault(node, []).append(step)
    return Storage(ctx.spec.cluster.name, StorageArgs(
        ctx.spec, ctx.nodes, kubernetes_provider=k8s.access.provider, kubernetes_ready=[k8s.calico.release],
        seaweedfs_certificates=seaweedfs), ctx.opts)


def observability(ctx: LayerContext) -> Observability | None:
    """Prometheus, Alertmanager and exporters from every layer's scrape targets and alert rules; Grafana, Loki
    and Vector where the PKI layer put their certificates."""
    spec = ctx.spec
    if not spec.observability.enabled:
        return None
    ready: dict[tuple[str, str], Sequence[pulumi.Resource]] = {k: (v,) for k, v in issued(ctx).items()}
    merged = ctx.contributions + existing_contributions(spec)
    return Observability("observability", ObservabilityArgs(spec, ctx.nodes, merged, ctx.secrets, ready), ctx.opts)


def batch(ctx: LayerContext) -> Batch | None:
    """Slurm with munge, Lmod's modules on the NFS share, Ray and Ollama; only when goldentooth:batch is set."""
    if ctx.spec.batch is None:
        return None
    return Batch("batch", BatchArgs(ctx.spec, ctx.nodes), ctx.opts)


def cloudflare(ctx: LayerContext) -> "CloudflareTunnel | None":
    """The tunnel for apps marked public plus config routes; off: nothing registered, the SDK not even imported."""
    apps = ctx.layer("k8s", Kubernetes).apps.values()
    public_apps = tuple(PublicRoute(app.public_hostname, app.service_url) for app in apps if app.public)
    return build_cloudflare(CloudflareArgs(ctx.spec.cloudflare, ctx.secrets.output("cloudflareApiToken"), public_apps),
                            ctx.opts)


def lifecycle(ctx: LayerContext) -> Lifecycle:
    """Every layer's leave steps, after every layer: each runs before the node's OS steps and its Kubernetes join are
    deleted; the HashiCorp leaves (and a rebuilt node's forget steps) get the tokens they need on stdin."""
    k8s = ctx.layer("k8s", Kubernetes)
    anchors: dict[str, list[pulumi.Resource]] = {name: list(node.os_ready) for name, node in ctx.nodes.items()}
    for join in k8s.control_plane_joins:
        anchors[join.node].append(join.step)
    for worker in k8s.worker_joins:
        anchors[worker.node].append(worker.step)
    secrets: dict[str, pulumi.Input[str]] = {}
    if (hashicorp_layer := ctx.optional("hashicorp", Hashicorp)) is not None:
        secrets["vault-admin-token"] = hashicorp_layer.identity.vault_admin_token
        secrets["nomad-management-token"] = hashicorp_layer.identity.nomad_management_token
        secrets["consul-management-token"] = hashicorp_layer.identity.consul_management_token
    ctx.late_secrets.resolve(secrets)  # what a rebuilt node's forget steps asked for (wiring.nodes)
    targets = {name: node.target for name, node in ctx.nodes.items()}
    return Lifecycle("lifecycle", LifecycleArgs(ctx.contributions.leave_steps, targets, anchors, secrets), ctx.opts)
