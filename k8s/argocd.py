"""`ArgoCd`: the pinned argo-cd chart with the running cluster's values, fixed where the reference was broken,
then the `gitops-repo` AppProject and the ApplicationSet over the GitHub organisation.

Fixes against the reference values: the OIDC client trusts the cluster root CA through `oidc.config.rootCA`
(`tls.config` is not a key Argo CD reads); `exec.enabled` is on because RBAC grants exec; fixed replica counts
instead of HPAs (no metrics-server); the LoadBalancer address is pinned to what HAProxy routes to; the admin
password is a generated secret (its bcrypt hash goes to the chart) and the OIDC client secret stays in a
Secret that `oidc.config` references as `$argocd-oidc-authelia:clientSecret`, never in values.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
import yaml

from k8s import namespaces
from k8s.helm import Chart, release
from k8s.manifest import Computed, Sealed, apply, output_placeholder

NAMESPACE = namespaces.ARGOCD
REPO = "https://argoproj.github.io/argo-helm"
OIDC_SECRET = "argocd-oidc-authelia"
PROJECT = "gitops-repo"
PART_OF_ARGOCD = {"app.kubernetes.io/part-of": "argocd"}  # Argo CD only resolves $secret refs with this label

RBAC_POLICY = "\n".join(
    [
        "p, role:admin, applications, *, */*, allow",
        "p, role:admin, certificates, *, *, allow",
        "p, role:admin, clusters, *, *, allow",
        "p, role:admin, repositories, *, *, allow",
        "p, role:admin, accounts, *, *, allow",
        "p, role:admin, logs, get, *, allow",
        "p, role:admin, exec, create, */*, allow",
        "g, argocd-admins, role:admin",
        "",
    ]
)


@dataclass(frozen=True)
class ArgoCdSettings:
    chart_version: str
    domain: str  # argocd.services.k8s.<base>: what users open (through HAProxy)
    lb_hostname: str  # argocd.metallb.k8s.<base>: the MetalLB address, published by ExternalDNS
    load_balancer_ip: str
    issuer: str  # Authelia, e.g. https://auth.services.goldentooth.net
    organization: str  # GitHub organisation the ApplicationSet scans


def oidc_config(issuer: str, root_ca_pem: str | None) -> str:
    config: dict[str, Any] = {
        "name": "Authelia",
        "issuer": issuer,
        "clientID": "argocd",
        "clientSecret": f"${OIDC_SECRET}:clientSecret",
        "cliClientID": "argocd-cli",
        "requestedScopes": ["openid", "email", "groups"],
        "enableUserInfoGroups": True,
        "userInfoPath": "/api/oidc/userinfo",
    }
    if root_ca_pem is not None:
        config["rootCA"] = root_ca_pem
    return yaml.safe_dump(config, sort_keys=False)


def argocd_values(s: ArgoCdSettings, admin_hash: Sealed, oidc: str | Computed) -> dict[str, Any]:
    return {
        "nameOverride": "argocd",
        "global": {
            "domain": s.domain,
            "addPrometheusAnnotations": True,
            "networkPolicy": {"create": False, "defaultDenyIngress": False},
        },
        "configs": {
            "cm": {"exec.enabled": "true", "oidc.config": oidc},
            # TLS ends at HAProxy; the server speaks plain HTTP behind it.
            "params": {"server.insecure": True},
            "secret": {"createSecret": True, "argocdServerAdminPassword": admin_hash},
            "rbac": {"policy.default": "role:readonly", "scopes": "[groups]", "policy.csv": RBAC_POLICY},
        },
        "redis-ha": {"enabled": True},
        "controller": {"replicas": 1},
        "server": {
            "replicas": 2,
            "service": {
                "type": "LoadBalancer",
                "annotations": {
                    "metallb.universe.tf/loadBalancerIPs": s.load_balancer_ip,
                    "external-dns.alpha.kubernetes.io/hostname": s.lb_hostname,
                    "external-dns.alpha.kubernetes.io/ttl": "60",
                },
            },
        },
        "repoServer": {"replicas": 2},
        "applicationSet": {"replicas": 2},
    }


def namespace() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}


def secret(name: str, data: dict[str, Sealed]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": dict(PART_OF_ARGOCD)},
        "type": "Opaque",
        "stringData": data,
    }


def app_project() -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": PROJECT, "namespace": NAMESPACE, "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
        "spec": {
            "description": "Goldentooth GitOps-Repo project",
            "sourceRepos": ["*"],
            "destinations": [{"namespace": "!kube-system", "server": "*"}, {"namespace": "*", "server": "*"}],
            "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
        },
    }


def application_set(organization: str) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": PROJECT, "namespace": NAMESPACE},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [
                {
                    "scmProvider": {
                        "cloneProtocol": "https",
                        "github": {
                            "organization": organization,
                            "allBranches": False,
                            "tokenRef": {"secretName": "github-token", "key": "token"},
                        },
                        # A repository takes part when it carries the GitHub topic `gitops-repo`.
                        "filters": [{"labelMatch": PROJECT}],
                    }
                }
            ],
            "template": {
                "metadata": {"name": "gitops-repo-{{ .repository }}"},
                "spec": {
                    "project": PROJECT,
                    "source": {"repoURL": "{{ .url }}", "targetRevision": "{{ .branch }}", "path": "./"},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{ .repository }}"},
                    "syncPolicy": {
                        "automated": {"prune": True, "selfHeal": True},
                        "syncOptions": [
                            "Validate=true",
                            "CreateNamespace=true",
                            "PrunePropagationPolicy=foreground",
                            "PruneLast=true",
                            "RespectIgnoreDifferences=true",
                            "ApplyOutOfSyncOnly=true",
                        ],
                    },
                },
            },
        },
    }


@dataclass(frozen=True)
class ArgoCdArgs:
    settings: ArgoCdSettings
    provider: k8s.Provider
    github_token: pulumi.Output[str]
    oidc_client_secret: pulumi.Output[str]
    root_ca_pem: pulumi.Input[str] | None = None  # the cluster root CA that signs Authelia's certificate
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)  # MetalLB pool (the LoadBalancer address)


class ArgoCd(pulumi.ComponentResource):
    release: k8s.helm.v3.Release
    admin_password: pulumi.Output[str]  # secret

    def __init__(self, name: str, args: ArgoCdArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:ArgoCd", name, None, opts)
        p, s = args.provider, args.settings
        password = random.RandomPassword("argocd-admin-password", length=32, special=False,
                                         opts=pulumi.ResourceOptions(parent=self))
        self.admin_password = pulumi.Output.secret(password.result)
        oidc: str | Computed = oidc_config(s.issuer, None)
        if args.root_ca_pem is not None:
            shown = oidc_config(s.issuer, output_placeholder("rootCaPem"))
            oidc = Computed("oidc.config", pulumi.Output.from_input(args.root_ca_pem).apply(
                lambda pem: oidc_config(s.issuer, pem)), shown)
        ns = apply("argocd-namespace", namespace(), provider=p, parent=self, depends_on=args.after)
        token = apply("argocd-github-token", secret("github-token", {"token": Sealed("GITHUB_TOKEN", args.github_token)}),
                      provider=p, parent=self, depends_on=[ns])
        client = apply(
            "argocd-oidc-authelia",
            secret(OIDC_SECRET, {"clientSecret": Sealed("AUTHELIA_ARGOCD_CLIENT_SECRET", args.oidc_client_secret)}),
            provider=p, parent=self, depends_on=[ns],
        )
        values = argocd_values(s, Sealed("ARGOCD_ADMIN_PASSWORD_BCRYPT", password.bcrypt_hash), oidc)
        chart = Chart("argocd", "argo-cd", s.chart_version, REPO, NAMESPACE, values)
        self.release = release(chart, provider=p, parent=self, depends_on=[ns, client, *args.after])
        project = apply("argocd-appproject-gitops-repo", app_project(), provider=p, parent=self, depends_on=[self.release])
        apply("argocd-applicationset-gitops-repo", application_set(s.organization), provider=p, parent=self,
              depends_on=[self.release, project, token])
        self.register_outputs({"adminPassword": self.admin_password, "domain": s.domain})
