"""`goldentooth:kubernetes`: settings of the Kubernetes layer that are neither inventory nor versions.

Defaults are the real cluster's facts (pinned MetalLB addresses, the sample httpbin app), so the stack file
only needs the section to change them. `kubernetes_violations` holds the cross-section rules (upgrade path,
addresses inside the MetalLB pool) that `config.rules` runs with every other rule.
"""

import re
from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Network
from typing import Literal

from pydantic import Field, field_validator

from config.base import ConfigModel
from config.errors import Violation
from config.meaning import check_aws_region
from config.versions import VersionsSpec

_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
# An image must say exactly what runs: a tag that is not `latest`, or a digest.
_PINNED_IMAGE = re.compile(r"^[a-z0-9./_-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$")
_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi)?$")


def _parse_version(value: str) -> tuple[int, int, int]:
    match = _SEMVER.match(value)
    if not match:
        raise ValueError(f"{value!r} is not an exact version (want MAJOR.MINOR.PATCH)")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


class AppSpec(ConfigModel):
    """One stateless app deployed by the `App` component (Deployment, Service, DNS name)."""

    name: str
    image: str
    port: int = Field(ge=1, le=65535)
    health_path: str = Field(default="/", pattern=r"^/[^\s]*$")
    replicas: int = Field(default=2, ge=1, le=20)
    cpu_request: str = "50m"
    memory_request: str = "64Mi"
    cpu_limit: str = "500m"
    memory_limit: str = "256Mi"
    # Pinned so HAProxy backends and DNS do not move when MetalLB hands addresses out in another order.
    load_balancer_ip: IPv4Address | None = None
    # Routed through the Cloudflare tunnel as `<name>.<base domain>` (the cloud layer reads `public_hostname`).
    public: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _DNS_LABEL.match(value):
            raise ValueError(f"{value!r} is not a DNS label (lower-case letters, digits and '-')")
        return value

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        if not _PINNED_IMAGE.match(value) or value.endswith(":latest"):
            raise ValueError(f"{value!r} is not pinned: give a version tag other than 'latest', or a digest")
        return value

    @field_validator("cpu_request", "memory_request", "cpu_limit", "memory_limit")
    @classmethod
    def _quantity(cls, value: str) -> str:
        if not _QUANTITY.match(value):
            raise ValueError(f"{value!r} is not a Kubernetes quantity such as 100m, 128Mi or 1Gi")
        return value


def _default_apps() -> tuple[AppSpec, ...]:
    return (
        AppSpec(
            name="httpbin",
            image="mccutchen/go-httpbin:v2.15.0",
            port=8080,
            health_path="/status/200",
            load_balancer_ip=IPv4Address("10.4.11.1"),
        ),
    )


# ExternalDNS sources this program knows the chart's RBAC for (the chart grants what `sources` names).
ExternalDnsSource = Literal["service", "ingress", "gateway-httproute", "gateway-grpcroute", "gateway-tlsroute",
                            "gateway-tcproute", "gateway-udproute"]


class ExternalDnsSpec(ConfigModel):
    enabled: bool = True
    region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    # Records ExternalDNS owns are marked with this id in their TXT companions; never share it between clusters.
    # The default is the live instance's (`--txt-owner-id=external-dns-external-dns`, build log L5224, and the TXT
    # records it wrote): with the same id this one takes over the records it already owns (README).
    txt_owner_id: str = Field(default="external-dns-external-dns", pattern=r"^[a-z0-9-]+$")
    # Services (Argo CD, the apps) and Gateway API HTTPRoutes (PDS is published from one). With `policy: sync` a
    # record whose source is not watched is deleted, so every kind of source that owns a live record is listed.
    sources: tuple[ExternalDnsSource, ...] = ("service", "gateway-httproute")

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("ExternalDNS needs at least one source (service, gateway-httproute, ...)")
        twice = sorted({s for s in value if value.count(s) > 1})
        if twice:
            raise ValueError(f"sources {', '.join(twice)} appear more than once")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return check_aws_region(value)


class KubernetesSpec(ConfigModel):
    """`goldentooth:kubernetes`."""

    # The version running now, set while raising `versions.kubernetes`: it turns on the ordered upgrade.
    upgrade_from: str | None = None
    api_port: int = Field(default=6443, ge=1, le=65535)
    # kubeadm's clusterName. The live cluster was initialised without a config file, so it kept kubeadm's default.
    cluster_name: str = Field(default="kubernetes", pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
    # The admin kubeconfig's context the provider selects; kubeadm names it `kubernetes-admin@<clusterName>`.
    kubeconfig_context: str | None = Field(default=None, min_length=1)
    # The control-plane node that runs `kubeadm init`; unset, the first control-plane node by name (never by
    # list position, so reordering roles.kubernetes.controlPlane changes nothing).
    init_node: str | None = None
    # SHA-256 of the cluster CA certificate (DER, hex, colons allowed) the init node must hold: a node with
    # another CA, or none, stops the bootstrap before anything is written. Unset, whatever CA exists is adopted.
    ca_fingerprint: str | None = Field(default=None, pattern=r"^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$")
    metallb_interface: str = Field(default="eth0", pattern=r"^[a-z][a-z0-9]{1,14}$")
    argocd_load_balancer_ip: IPv4Address = IPv4Address("10.4.11.0")
    # Served by a GitOps-managed app; HAProxy fronts it, so its address is pinned here too.
    p5js_load_balancer_ip: IPv4Address = Field(default=IPv4Address("10.4.11.2"), alias="p5jsLoadBalancerIp")
    # The GitHub organisation whose repositories tagged `gitops-repo` Argo CD deploys (one app per repository).
    gitops_organization: str = Field(default="goldentooth", pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$")
    external_dns: ExternalDnsSpec = Field(default_factory=ExternalDnsSpec)
    apps: tuple[AppSpec, ...] = Field(default_factory=_default_apps)

    @field_validator("upgrade_from")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.removeprefix("v")
        _parse_version(value)
        return value

    @field_validator("ca_fingerprint")
    @classmethod
    def _fingerprint(cls, value: str | None) -> str | None:
        return None if value is None else value.replace(":", "").lower()

    @property
    def context(self) -> str:
        return self.kubeconfig_context or f"kubernetes-admin@{self.cluster_name}"

    def pinned_addresses(self) -> list[tuple[str, IPv4Address]]:
        """(config path, address) of every LoadBalancer address this config pins."""
        pinned = [
            ("kubernetes.argocdLoadBalancerIp", self.argocd_load_balancer_ip),
            ("kubernetes.p5jsLoadBalancerIp", self.p5js_load_balancer_ip),
        ]
        pinned += [
            (f"kubernetes.apps[{i}].loadBalancerIp", app.load_balancer_ip)
            for i, app in enumerate(self.apps)
            if app.load_balancer_ip is not None
        ]
        return pinned


def kubernetes_violations(
    k8s: KubernetesSpec, versions: VersionsSpec | None, metallb_pool: IPv4Network | None
) -> Iterator[Violation]:
    if versions is not None and k8s.upgrade_from is not None:
        yield from _upgrade_path(k8s.upgrade_from, versions.kubernetes)
    seen: dict[IPv4Address, str] = {}
    for path, address in k8s.pinned_addresses():
        if metallb_pool is not None and address not in metallb_pool:
            yield Violation(path, f"{address} is outside the MetalLB pool network.metallb {metallb_pool}")
        if address in seen:
            yield Violation(path, f"{address} is already pinned by {seen[address]}")
        else:
            seen[address] = path
    names = [app.name for app in k8s.apps]
    for i, app in enumerate(k8s.apps):
        if names.count(app.name) > 1 and names.index(app.name) != i:
            yield Violation(f"kubernetes.apps[{i}].name", f"app {app.name!r} is defined more than once")


def _upgrade_path(current: str, target: str) -> Iterator[Violation]:
    path = "kubernetes.upgradeFrom"
    cur, tgt = _parse_version(current), _parse_version(target)
    if cur[0] != tgt[0]:
        yield Violation(path, f"cannot upgrade across major versions ({current} to {target})")
    elif tgt < cur:
        yield Violation(path, f"versions.kubernetes {target} is older than the running {current}: kubeadm cannot downgrade")
    elif tgt[1] - cur[1] > 1:
        yield Violation(
            path,
            f"{current} to {target} skips a minor version; kubeadm upgrades one minor at a time: "
            f"go to {cur[0]}.{cur[1] + 1}.x first",
        )
