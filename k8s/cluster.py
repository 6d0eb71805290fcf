"""`Kubernetes`: the whole layer wired in dependency order, from node handles and the validated spec.

(the edge's API frontend) → kubeadm init (the init node, after it adopted or created the CA) → control-plane joins,
one at a time (etcd), and worker joins in parallel, each with its own fresh credentials →
the kubeconfig and provider → Calico → MetalLB chart → pool and advertisement → Argo CD, ExternalDNS, the GPU
device plugin and the apps. Everything the layer needs comes in through `KubernetesArgs`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from config.hostnames import metallb_host, service_host
from config.secrets import SecretValues
from config.spec import ClusterSpec
from k8s.app import App, AppArgs
from k8s.argocd import ArgoCd, ArgoCdArgs, ArgoCdSettings
from k8s.cni import Calico, CalicoArgs
from k8s.contributions import api_endpoint_name
from k8s.external_dns import ExternalDns, ExternalDnsArgs, ExternalDnsSettings
from k8s.gpu import GpuSupport, GpuSupportArgs
from k8s.kubeadm.config import KubeadmSettings
from k8s.kubeadm.init import KubeadmInit, KubeadmInitArgs
from k8s.kubeadm.join import ControlPlaneJoin, JoinArgs, WorkerJoin
from k8s.kubeadm.registration import registration
from k8s.metallb import Metallb, MetallbArgs
from k8s.pki import ClusterPki, ClusterPkiArgs
from k8s.provider import ClusterAccess, ClusterAccessArgs
from k8s.upgrade.component import KubernetesUpgrade, UpgradeArgs
from nodes.node import Node
from nodes.rollout.etcd import etcd_check
from nodes.rollout.plan import rollout_plan


@dataclass(frozen=True)
class KubernetesArgs:
    spec: ClusterSpec
    secrets: SecretValues
    nodes: Mapping[str, Node]
    # After these the API load balancer serves (the edge layer's HAProxy): kubeadm init waits for them.
    api_ready: Sequence[pulumi.Resource] = field(default_factory=tuple)
    # The cluster root CA PEM (PKI layer) that signs Authelia's certificate; Argo CD's OIDC client trusts it.
    root_ca_pem: pulumi.Input[str] | None = None
    # ExternalDNS's AWS shared-credentials file (AWS layer); the stack secret is used when not given.
    external_dns_credentials: pulumi.Output[str] | None = None


TYPE = "goldentooth:k8s:Kubernetes"


def init_node(spec: ClusterSpec) -> str:
    """The node that runs `kubeadm init`: `kubernetes.initNode`, else the first control-plane node by name."""
    return spec.kubeadm_init_node()


def control_plane_order(spec: ClusterSpec) -> list[str]:
    """The init node, then the other control-plane nodes by name: the order they join (and upgrade) in, which
    no reordering of roles.kubernetes.controlPlane changes."""
    first = init_node(spec)
    return [first, *sorted(n for n in spec.roles.kubernetes.control_plane if n != first)]


def kubeadm_settings(spec: ClusterSpec) -> KubeadmSettings:
    lb = spec.node(spec.roles.haproxy)
    control_plane = spec.nodes_named(tuple(sorted(spec.roles.kubernetes.control_plane)))
    sans = (str(lb.ip), *(str(n.ip) for n in control_plane), api_endpoint_name(spec))
    return KubeadmSettings(
        cluster_name=spec.kubernetes.cluster_name,
        version=spec.versions.kubernetes,
        endpoint_host=str(lb.ip),
        endpoint_port=spec.kubernetes.api_port,
        pod_cidr=str(spec.network.pods),
        service_cidr=str(spec.network.services),
        cert_sans=sans,
    )


class Kubernetes(pulumi.ComponentResource):
    pki: ClusterPki
    init: KubeadmInit
    control_plane_joins: list[ControlPlaneJoin]
    worker_joins: list[WorkerJoin]
    upgrade: KubernetesUpgrade | None
    access: ClusterAccess
    calico: Calico
    metallb: Metallb
    argocd: ArgoCd
    external_dns: ExternalDns | None
    gpu: GpuSupport | None
    apps: dict[str, App]

    def __init__(self, name: str, args: KubernetesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        spec, secrets, nodes = args.spec, args.secrets, args.nodes
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        roles, k8s_spec, versions = spec.roles.kubernetes, spec.kubernetes, spec.versions
        settings = kubeadm_settings(spec)

        self.pki = ClusterPki(spec.cluster.name, ClusterPkiArgs(spec.cluster.name), child)
        order = control_plane_order(spec)
        first = nodes[order[0]]
        self.init = KubeadmInit(
            first.spec.name,
            KubeadmInitArgs(first, settings, registration(spec, first.spec), self.pki,
                            ca_fingerprint=k8s_spec.ca_fingerprint, after=list(args.api_ready)),
            child,
        )

        def join_args(name: str, after: Sequence[pulumi.Resource] = ()) -> JoinArgs:
            node = nodes[name]
            return JoinArgs(node, first, settings, registration(spec, node.spec), self.pki,
                            self.init.ca_cert_hash, self.init.step, after=after)

        previous: pulumi.Resource = self.init.step
        self.control_plane_joins = []
        for name in order[1:]:
            join = ControlPlaneJoin(name, join_args(name, after=[previous]), child)
            self.control_plane_joins.append(join)
            previous = join.step  # etcd grows one member at a time
        # Workers need only the cluster: they join through the load balancer while control planes still join
        # (an API server that is restarting is taken out of rotation by HAProxy's health check).
        self.worker_joins = [WorkerJoin(name, join_args(name), child) for name in sorted(roles.workers)]
        joins = [previous, *(j.step for j in self.worker_joins)]

        self.upgrade = None
        if k8s_spec.upgrade_from is not None and k8s_spec.upgrade_from != versions.kubernetes:
            self.upgrade = KubernetesUpgrade(
                "kubernetes-upgrade",
                UpgradeArgs(
                    versions.kubernetes,
                    k8s_spec.upgrade_from,
                    [nodes[n] for n in order],
                    [[nodes[n] for n in batch] for batch in rollout_plan(spec, (), roles.workers).windows],
                    rollout=spec.rollout,
                    etcd=etcd_check(spec),
                    after=joins,
                ),
                child,
            )
        self.access = ClusterAccess(
            spec.cluster.name,
            ClusterAccessArgs(
                first,
                spec.cluster.name,
                k8s_spec.context,
                settings.endpoint,
                self.init.step,
                after=[*joins, *([self.upgrade.steps[0]] if self.upgrade else [])],
                # `upgrade apply` renews admin.conf's certificate: read it again after an upgrade.
                reread_on=[versions.kubernetes] if self.upgrade else [],
            ),
            child,
        )
        provider = self.access.provider
        self.calico = Calico("calico", CalicoArgs(versions.calico, str(spec.network.pods), provider), child)
        self.metallb = Metallb(
            "metallb",
            MetallbArgs(versions.metallb, str(spec.network.metallb), k8s_spec.metallb_interface, provider,
                        after=[self.calico.release]),
            child,
        )
        lb_ready = self.metallb.ready
        self.argocd = ArgoCd(
            "argocd",
            ArgoCdArgs(
                ArgoCdSettings(
                    chart_version=versions.argocd_chart,
                    domain=service_host(spec.domains, "argocd"),
                    lb_hostname=metallb_host(spec.domains, "argocd"),
                    load_balancer_ip=str(k8s_spec.argocd_load_balancer_ip),
                    issuer=f"https://auth.{spec.domains.services}",
                    organization=k8s_spec.gitops_organization,
                ),
                provider,
                github_token=secrets.output("githubToken"),
                oidc_client_secret=secrets.output("autheliaArgocdClientSecret"),
                root_ca_pem=args.root_ca_pem,
                after=lb_ready,
            ),
            child,
        )
        self.external_dns = None
        if k8s_spec.external_dns.enabled:
            ed = k8s_spec.external_dns
            credentials = args.external_dns_credentials
            if credentials is None:
                raise ValueError("ExternalDNS is enabled but no AWS credentials were wired in (Cluster passes the AWS layer's)")
            self.external_dns = ExternalDns(
                "external-dns",
                ExternalDnsArgs(
                    ExternalDnsSettings(versions.external_dns_chart, spec.domains.base, ed.region, ed.txt_owner_id,
                                        ed.sources),
                    provider,
                    credentials,
                    after=[self.calico.release],
                ),
                child,
            )
        self.gpu = None
        if roles.gpu_workers:
            self.gpu = GpuSupport("nvidia", GpuSupportArgs(versions.nvidia_device_plugin, provider, after=[self.calico.release]), child)
        self.apps = {
            app.name: App(app.name, AppArgs(app, spec.domains, provider, after=lb_ready), child) for app in k8s_spec.apps
        }
        self.register_outputs({"endpoint": settings.endpoint, "apps": sorted(self.apps)})
