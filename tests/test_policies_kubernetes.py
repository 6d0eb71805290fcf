"""Kubernetes rules: compliant and violating objects, some registered through pulumi_kubernetes itself."""

from typing import Any

import pulumi_kubernetes as k8s
import pytest
from pulumi_policy import EnforcementLevel

from offline.evaluate import Evaluation
from policies import kubernetes_rules as kr
from tests.policy_support import recorded_args, resource_args, violations

SERVICE = "kubernetes:core/v1:Service"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def _service(ip: str | None = None, annotation: str | None = None, kind: str = "LoadBalancer") -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "grafana", "namespace": "monitoring"}
    if annotation is not None:
        metadata["annotations"] = {"metallb.universe.tf/loadBalancerIPs": annotation}
    spec: dict[str, Any] = {"type": kind, "ports": [{"port": 80}]}
    if ip is not None:
        spec["loadBalancerIP"] = ip
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


@pytest.mark.parametrize("props", [_service(), _service(ip="10.4.11.10"), _service(annotation="10.4.11.11, 10.4.11.12"),
                                   _service(ip="10.4.0.5", kind="ClusterIP")])
def test_load_balancer_ips_from_the_pool_pass(props: dict[str, Any]) -> None:
    assert violations(kr.lb_ips_in_pool, resource_args(SERVICE, props)) == []


@pytest.mark.parametrize("props,ip", [(_service(ip="10.4.0.9"), "10.4.0.9"), (_service(annotation="10.4.11.3,10.4.12.1"), "10.4.12.1")])
def test_load_balancer_ips_outside_the_pool_are_reported(props: dict[str, Any], ip: str) -> None:
    assert violations(kr.lb_ips_in_pool, resource_args(SERVICE, props)) == [
        f"Service subject asks for {ip}, outside the MetalLB pool 10.4.11.0/24."
    ]


def test_metallb_pool_comes_from_policy_config() -> None:
    args = resource_args(SERVICE, _service(ip="10.4.12.7"), config={"pools": ["10.4.12.0/24"]})
    assert violations(kr.lb_ips_in_pool, args) == []


def test_default_pool_matches_the_real_stack(real_evaluation: Evaluation) -> None:
    default = kr.METALLB_SCHEMA.properties["pools"]["default"]
    assert default == [str(real_evaluation.spec.network.metallb)]


def _deployment(namespace: str = "apps", image: str = "ghcr.io/goldentooth/api:1.4.2", *, privileged: bool = False,
                probes: bool = True, resources: bool = True, labels: dict[str, str] | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "api", "image": image}
    if privileged:
        container["securityContext"] = {"privileged": True}
    if probes:
        container["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": 8080}}
        container["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 8080}}
    if resources:
        container["resources"] = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "api", "namespace": namespace, "labels": labels or {}},
        "spec": {"selector": {"matchLabels": {"app": "api"}},
                 "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [container]}}},
    }


def test_privileged_pods_in_system_namespaces_pass() -> None:
    props = _deployment("calico-system", privileged=True)
    assert violations(kr.privileged_namespaces, resource_args(DEPLOYMENT, props)) == []


def test_privileged_pods_elsewhere_are_reported() -> None:
    assert violations(kr.privileged_namespaces, resource_args(DEPLOYMENT, _deployment("apps", privileged=True))) == [
        "subject: container api is privileged in namespace 'apps'."
    ]


def test_privileged_daemonset_registered_through_the_sdk_is_reported(real_evaluation: Evaluation) -> None:
    def program() -> None:
        k8s.apps.v1.DaemonSet("node-tools", metadata={"namespace": "default"}, spec={
            "selector": {"match_labels": {"app": "t"}},
            "template": {"metadata": {"labels": {"app": "t"}}, "spec": {
                "init_containers": [{"name": "setup", "image": "busybox:1.36", "security_context": {"privileged": True}}],
                "containers": [{"name": "tools", "image": "busybox:1.36"}]}}})

    found = [m for a in recorded_args(real_evaluation, program) for m in violations(kr.privileged_namespaces, a)]
    assert found == ["node-tools: initContainer setup is privileged in namespace 'default'."]


@pytest.mark.parametrize("image", ["nginx:1.27.2", "registry.local:5000/app:2.0", "nginx@sha256:" + "a" * 64,
                                   "ghcr.io/x/y:v1@sha256:" + "b" * 64])
def test_pinned_images_pass(image: str) -> None:
    assert violations(kr.images_pinned, resource_args(DEPLOYMENT, _deployment(image=image))) == []


@pytest.mark.parametrize("image,problem", [("nginx", "has no tag (means latest)"), ("nginx:latest", "uses the latest tag"),
                                           ("registry.local:5000/app", "has no tag (means latest)")])
def test_unpinned_images_are_reported(image: str, problem: str) -> None:
    assert violations(kr.images_pinned, resource_args(DEPLOYMENT, _deployment(image=image))) == [
        f"subject: container api image {image} {problem}."
    ]


def test_cronjob_images_are_checked_too() -> None:
    props = {"metadata": {"namespace": "apps"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "containers": [{"name": "backup", "image": "restic/restic:latest"}]}}}}}}
    assert violations(kr.images_pinned, resource_args("kubernetes:batch/v1:CronJob", props))


def test_app_deployment_with_resources_and_probes_passes() -> None:
    assert violations(kr.app_resources_probes, resource_args(DEPLOYMENT, _deployment())) == []


def test_app_deployment_without_resources_or_probes_is_reported_as_advisory() -> None:
    found = violations(kr.app_resources_probes, resource_args(DEPLOYMENT, _deployment(probes=False, resources=False)))
    assert found == ["subject: container api has no resources.requests.cpu, resources.requests.memory, "
                     "resources.limits.memory, livenessProbe, readinessProbe."]
    assert kr.app_resources_probes.enforcement_level == EnforcementLevel.ADVISORY


@pytest.mark.parametrize("props", [_deployment("kube-system", probes=False, resources=False),
                                   _deployment(probes=False, labels={"helm.sh/chart": "argo-cd-7.1.5"})])
def test_platform_and_chart_deployments_are_not_apps(props: dict[str, Any]) -> None:
    assert violations(kr.app_resources_probes, resource_args(DEPLOYMENT, props)) == []
