"""Kubernetes rules: LoadBalancer IPs from the MetalLB pool, privileged pods only where allowed, pinned
images, and app Deployments with resources and probes."""

import ipaddress
from collections.abc import Iterator
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from policies.common import ADVISORY, MANDATORY, as_list, get, is_map, schema, setting

SERVICE = "kubernetes:core/v1:Service"
LB_IP_ANNOTATIONS = ("metallb.universe.tf/loadBalancerIPs", "metallb.io/loadBalancerIPs")
# Where the pod template sits in each workload kind's props.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:core/v1:ReplicationController": ("spec", "template", "spec"),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def namespace(args: ResourceValidationArgs) -> str:
    value = get(args.props, "metadata", "namespace")
    return value if isinstance(value, str) and value else "default"


def pod_spec(args: ResourceValidationArgs) -> Any:
    path = POD_SPEC_PATHS.get(args.resource_type)
    return get(args.props, *path) if path else None


def containers(spec: Any, lists: tuple[str, ...] = CONTAINER_LISTS) -> Iterator[tuple[str, Any]]:
    for kind in lists:
        for c in as_list(get(spec, kind)):
            yield f"{kind[:-1]} {get(c, 'name') or '?'}", c


# --- LoadBalancer IPs --------------------------------------------------------------------------------------

METALLB_SCHEMA = schema(
    {
        "pools": {
            "type": "array",
            "items": {"type": "string"},
            "description": "CIDRs MetalLB hands out (goldentooth:network.metallb)",
            "default": ["10.4.11.0/24"],
        }
    }
)


def requested_ips(args: ResourceValidationArgs) -> list[str]:
    ips = []
    ip = get(args.props, "spec", "loadBalancerIP")
    if isinstance(ip, str) and ip:
        ips.append(ip)
    annotations = get(args.props, "metadata", "annotations")
    for key in LB_IP_ANNOTATIONS:
        value = get(annotations, key) if is_map(annotations) else None
        if isinstance(value, str):
            ips += [part.strip() for part in value.split(",") if part.strip()]
    return ips


def _validate_lb_ips(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != SERVICE or get(args.props, "spec", "type") != "LoadBalancer":
        return
    pools = [ipaddress.ip_network(p) for p in setting(args.get_config(), METALLB_SCHEMA, "pools")]
    for ip in requested_ips(args):
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            report(f"Service {args.name} asks for {ip!r}, which is not an IP address.", None)
            continue
        if not any(address in pool for pool in pools):
            report(f"Service {args.name} asks for {ip}, outside the MetalLB pool {', '.join(map(str, pools))}.", None)


lb_ips_in_pool = ResourceValidationPolicy(
    name="k8s-loadbalancer-ip-in-metallb-pool",
    description="LoadBalancer Services ask only for IPs from the MetalLB pool.",
    enforcement_level=MANDATORY,
    validate=_validate_lb_ips,
    config_schema=METALLB_SCHEMA,
    remediation_steps="Pick an address inside goldentooth:network.metallb (annotation "
    "metallb.universe.tf/loadBalancerIPs), or leave it out and let MetalLB assign one.",
)


# --- privileged pods ---------------------------------------------------------------------------------------

PRIVILEGED_SCHEMA = schema(
    {
        "allowedNamespaces": {
            "type": "array",
            "items": {"type": "string"},
            "description": "namespaces whose pods may run privileged containers (CNI, load balancer, GPU plugin, "
            "the storage layer's CSI node plugins, which mount volumes into pods)",
            "default": ["kube-system", "calico-system", "tigera-operator", "metallb", "seaweedfs", "ceph-csi"],
        }
    }
)


def _validate_privileged(args: ResourceValidationArgs, report: ReportViolation) -> None:
    spec = pod_spec(args)
    if spec is None:
        return
    allowed = list(setting(args.get_config(), PRIVILEGED_SCHEMA, "allowedNamespaces"))
    ns = namespace(args)
    if ns in allowed:
        return
    for label, c in containers(spec):
        if get(c, "securityContext", "privileged") is True:
            report(f"{args.name}: {label} is privileged in namespace {ns!r}.", None)


privileged_namespaces = ResourceValidationPolicy(
    name="k8s-privileged-pods-allowed-namespaces",
    description="Privileged containers run only in the allowed system namespaces.",
    enforcement_level=MANDATORY,
    validate=_validate_privileged,
    config_schema=PRIVILEGED_SCHEMA,
    remediation_steps="Drop securityContext.privileged and add only the capabilities the container needs, "
    "or move the workload into an allowed namespace (policy config allowedNamespaces).",
)


# --- pinned images -----------------------------------------------------------------------------------------


def image_problem(image: str) -> str | None:
    """None when `image` names a fixed tag or a digest."""
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]  # a registry port (host:5000/x) is before the last slash
    if ":" not in last:
        return "has no tag (means latest)"
    tag = last.rsplit(":", 1)[1]
    if tag in ("", "latest"):
        return "uses the latest tag"
    return None


def _validate_images(args: ResourceValidationArgs, report: ReportViolation) -> None:
    spec = pod_spec(args)
    if spec is None:
        return
    for label, c in containers(spec):
        image = get(c, "image")
        if not isinstance(image, str):
            report(f"{args.name}: {label} names no image.", None)
            continue
        problem = image_problem(image)
        if problem:
            report(f"{args.name}: {label} image {image} {problem}.", None)


images_pinned = ResourceValidationPolicy(
    name="k8s-images-pinned",
    description="Container images are pinned to a version tag or a digest (no latest, no missing tag).",
    enforcement_level=MANDATORY,
    validate=_validate_images,
    remediation_steps="Name an exact version (nginx:1.27.2) or a digest (nginx@sha256:...); take versions "
    "from goldentooth:versions so an upgrade is a config change.",
)


# --- app Deployments: resources and probes ------------------------------------------------------------------

APP_SCHEMA = schema(
    {
        "systemNamespaces": {
            "type": "array",
            "items": {"type": "string"},
            "description": "namespaces of platform components whose Deployments come from upstream charts",
            "default": [
                "kube-system", "calico-system", "tigera-operator", "metallb", "argocd", "external-dns",
                "nvidia-device-plugin",
            ],
        }
    }
)
HELM_MANAGED = ("helm.sh/chart",)


def _is_app(args: ResourceValidationArgs) -> bool:
    if namespace(args) in setting(args.get_config(), APP_SCHEMA, "systemNamespaces"):
        return False
    labels = get(args.props, "metadata", "labels")
    if not is_map(labels):
        return True
    # Rendered from an upstream chart: not ours to shape.
    return not (any(k in labels for k in HELM_MANAGED) or get(labels, "app.kubernetes.io/managed-by") == "Helm")


def _validate_app(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "kubernetes:apps/v1:Deployment" or not _is_app(args):
        return
    for label, c in containers(pod_spec(args), ("containers",)):
        missing = [
            f"resources.{kind}.{res}"
            for kind, res in (("requests", "cpu"), ("requests", "memory"), ("limits", "memory"))
            if get(c, "resources", kind, res) is None
        ]
        missing += [probe for probe in ("livenessProbe", "readinessProbe") if get(c, probe) is None]
        if missing:
            report(f"{args.name}: {label} has no {', '.join(missing)}.", None)


app_resources_probes = ResourceValidationPolicy(
    name="k8s-app-resources-and-probes",
    description="App Deployments set CPU/memory requests, a memory limit, and liveness and readiness probes.",
    enforcement_level=ADVISORY,
    validate=_validate_app,
    config_schema=APP_SCHEMA,
    remediation_steps="Give every container resources={'requests': {'cpu': ..., 'memory': ...}, 'limits': "
    "{'memory': ...}} and liveness_probe/readiness_probe: Pis have little memory to overcommit.",
)

POLICIES = [lb_ips_in_pool, privileged_namespaces, images_pinned, app_resources_probes]
