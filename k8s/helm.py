"""Helm charts as `helm.v3.Release`, with their values recorded for review and validation.

Why Release and not `helm.v4.Chart`, for every chart here:
- A Release is a real Helm install that waits for its workloads: MetalLB's webhook and CRDs are serving before
  the IPAddressPool that depends on it is created, and Argo CD's CRDs exist before the AppProject.
- It is one custom resource whose inputs (chart, version, values) show in the offline plan; a v4 Chart is a
  remote component with no children under mocks, and its preview needs a reachable cluster, which CI has not.
- The cost: an interrupted first install leaves `pending-install` for a manual `helm rollback`/uninstall,
  so timeouts are generous for SD-card Pis.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components import artifacts
from k8s.manifest import for_apply, to_yaml


@dataclass(frozen=True)
class Chart:
    name: str  # release name
    chart: str
    version: str
    repo: str
    namespace: str
    values: Mapping[str, Any] = field(default_factory=dict)
    create_namespace: bool = False  # False when the caller creates (and labels) the namespace itself
    timeout: int = 900  # seconds; Pi SD cards pull images slowly


def release(
    chart: Chart,
    *,
    provider: k8s.Provider,
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
) -> k8s.helm.v3.Release:
    artifacts.record(artifacts.CLUSTER, f"k8s/{chart.name}-values.yaml", to_yaml(chart.values))
    return k8s.helm.v3.Release(
        chart.name,
        name=chart.name,
        chart=chart.chart,
        version=chart.version,
        repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.repo),
        namespace=chart.namespace,
        create_namespace=chart.create_namespace,
        values=for_apply(chart.values),
        timeout=chart.timeout,
        atomic=False,
        cleanup_on_fail=False,
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on)),
    )
