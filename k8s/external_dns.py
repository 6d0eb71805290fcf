"""`ExternalDns`: publishes the hostnames of LoadBalancer Services and Gateway API routes into the Route53 zone,
from the pinned chart.

Credentials: a static access key of a Route53-only IAM user, as an AWS shared-credentials file in a Secret
(`stringData`, so it is not double-encoded as in the reference) mounted into the pod. IRSA is not an option
here: it needs a cluster OIDC issuer that AWS can reach, which a LAN-only kubeadm cluster does not publish.
The key comes in as an input: the AWS layer's IAM access key (`aws/`), a Pulumi secret end to end. The chart's service account is the one the deployment runs as (the reference's
hand-written Deployment forgot `serviceAccountName`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from k8s import namespaces
from k8s.helm import Chart, release
from k8s.manifest import Sealed, apply

NAMESPACE = namespaces.EXTERNAL_DNS
REPO = "https://kubernetes-sigs.github.io/external-dns/"
CREDENTIALS_SECRET = "external-dns-aws"
CREDENTIALS_DIR = "/etc/aws"


@dataclass(frozen=True)
class ExternalDnsSettings:
    chart_version: str
    domain: str  # the Route53 zone, e.g. goldentooth.net
    region: str
    txt_owner_id: str
    sources: tuple[str, ...] = ("service",)  # the chart grants the RBAC each source needs


def namespace() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}


def credentials_secret(credentials: Sealed) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": CREDENTIALS_SECRET, "namespace": NAMESPACE},
        "type": "Opaque",
        "stringData": {"credentials": credentials},
    }


def external_dns_values(s: ExternalDnsSettings) -> dict[str, Any]:
    return {
        "provider": {"name": "aws"},
        "sources": list(s.sources),
        "domainFilters": [s.domain],
        # sync: records of deleted Services are removed too (the IAM policy allows deletes in this zone only).
        "policy": "sync",
        "registry": "txt",
        "txtOwnerId": s.txt_owner_id,
        "extraArgs": ["--aws-zone-type=public"],
        "env": [
            {"name": "AWS_DEFAULT_REGION", "value": s.region},
            {"name": "AWS_SHARED_CREDENTIALS_FILE", "value": f"{CREDENTIALS_DIR}/credentials"},
        ],
        "extraVolumes": [{"name": "aws-credentials", "secret": {"secretName": CREDENTIALS_SECRET}}],
        "extraVolumeMounts": [{"name": "aws-credentials", "mountPath": CREDENTIALS_DIR, "readOnly": True}],
        "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
    }


@dataclass(frozen=True)
class ExternalDnsArgs:
    settings: ExternalDnsSettings
    provider: k8s.Provider
    credentials: pulumi.Output[str]  # secret: an AWS shared-credentials file ([default] key id and secret)
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)


class ExternalDns(pulumi.ComponentResource):
    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: ExternalDnsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:ExternalDns", name, None, opts)
        p, s = args.provider, args.settings
        ns = apply("external-dns-namespace", namespace(), provider=p, parent=self, depends_on=args.after)
        creds = apply(
            "external-dns-aws-credentials",
            credentials_secret(Sealed("EXTERNAL_DNS_AWS_CREDENTIALS", args.credentials)),
            provider=p, parent=self, depends_on=[ns],
        )
        chart = Chart("external-dns", "external-dns", s.chart_version, REPO, NAMESPACE, external_dns_values(s))
        self.release = release(chart, provider=p, parent=self, depends_on=[ns, creds])
        self.register_outputs({"domain": s.domain})
