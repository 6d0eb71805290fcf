"""`App`: one stateless app from a few facts (image, port, health path), in the spirit of a reusable module:
a namespace, a Deployment with probes, requests, limits and replica defaults, and a LoadBalancer Service with
an address from the MetalLB pool (pinned when configured) and the ExternalDNS annotations.

For the Cloudflare tunnel the cloud layer reads `public`, `public_hostname` (`<name>.<base domain>`) and
`service_url` (where the tunnel forwards to).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from config.domains import DomainsSpec
from config.hostnames import metallb_host, public_host
from config.kubernetes import AppSpec
from k8s.manifest import apply

SERVICE_PORT = 80


def _labels(app: AppSpec) -> dict[str, str]:
    return {"app.kubernetes.io/name": app.name, "app.kubernetes.io/managed-by": "goldentooth"}


def namespace(app: AppSpec) -> dict[str, Any]:
    baseline = {f"pod-security.kubernetes.io/{mode}": "baseline" for mode in ("enforce", "warn")}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": app.name, "labels": baseline}}


def deployment(app: AppSpec) -> dict[str, Any]:
    probe = {"httpGet": {"path": app.health_path, "port": "http"}, "periodSeconds": 10, "timeoutSeconds": 3}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": app.name, "namespace": app.name, "labels": _labels(app)},
        "spec": {
            "replicas": app.replicas,
            "revisionHistoryLimit": 3,
            "selector": {"matchLabels": {"app.kubernetes.io/name": app.name}},
            "template": {
                "metadata": {"labels": _labels(app)},
                "spec": {
                    # Spread replicas over nodes, but still schedule when fewer nodes are up.
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "kubernetes.io/hostname",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": {"app.kubernetes.io/name": app.name}},
                        }
                    ],
                    "containers": [
                        {
                            "name": app.name,
                            "image": app.image,
                            "ports": [{"name": "http", "containerPort": app.port, "protocol": "TCP"}],
                            "readinessProbe": {**probe, "failureThreshold": 3},
                            "livenessProbe": {**probe, "initialDelaySeconds": 10, "failureThreshold": 6},
                            "resources": {
                                "requests": {"cpu": app.cpu_request, "memory": app.memory_request},
                                "limits": {"cpu": app.cpu_limit, "memory": app.memory_limit},
                            },
                            "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                        }
                    ],
                },
            },
        },
    }


def service(app: AppSpec, domains: DomainsSpec) -> dict[str, Any]:
    annotations = {
        "external-dns.alpha.kubernetes.io/hostname": metallb_host(domains, app.name),
        "external-dns.alpha.kubernetes.io/ttl": "60",
    }
    if app.load_balancer_ip is not None:
        annotations["metallb.universe.tf/loadBalancerIPs"] = str(app.load_balancer_ip)
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": app.name, "namespace": app.name, "labels": _labels(app), "annotations": annotations},
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app.kubernetes.io/name": app.name},
            "ports": [{"name": "http", "port": SERVICE_PORT, "targetPort": "http", "protocol": "TCP"}],
        },
    }


@dataclass(frozen=True)
class AppArgs:
    app: AppSpec
    domains: DomainsSpec
    provider: k8s.Provider
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)  # the MetalLB pool


class App(pulumi.ComponentResource):
    public: bool
    public_hostname: str
    service_url: str

    def __init__(self, name: str, args: AppArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        app = args.app
        super().__init__("goldentooth:k8s:App", name, None, opts)
        p = args.provider
        ns = apply(f"{app.name}-namespace", namespace(app), provider=p, parent=self, depends_on=args.after)
        apply(f"{app.name}-deployment", deployment(app), provider=p, parent=self, depends_on=[ns])
        apply(f"{app.name}-service", service(app, args.domains), provider=p, parent=self, depends_on=[ns, *args.after])
        self.public = app.public
        self.public_hostname = public_host(args.domains, app.name)
        address = str(app.load_balancer_ip) if app.load_balancer_ip else f"{app.name}.{app.name}.svc.cluster.local"
        self.service_url = f"http://{address}:{SERVICE_PORT}"
        self.register_outputs(
            {"public": self.public, "publicHostname": self.public_hostname, "serviceUrl": self.service_url}
        )
