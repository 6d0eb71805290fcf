"""Kubernetes objects written once as plain dicts, then both recorded (for `goldentooth render` and schema
validation) and applied through the explicit provider.

Secret values are `Sealed` leaves: the recorded YAML shows `{{secret:NAME}}`, the applied object carries the
secret Output. Other computed values are `Computed` leaves shown as `{{output:NAME}}`. So one dict is the single
source of truth for what is validated and what is applied.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components import artifacts
from components.remote_file import secret_placeholder


@dataclass(frozen=True)
class Sealed:
    """A secret value inside a manifest or chart values."""

    name: str
    value: pulumi.Output[str]


@dataclass(frozen=True)
class Computed:
    """A non-secret value only known at deploy time (e.g. a certificate from another layer)."""

    name: str
    value: pulumi.Input[str]
    shown: str | None = None  # what the record shows instead of `{{output:NAME}}`, e.g. a template


def output_placeholder(name: str) -> str:
    return "{{output:" + name + "}}"


def for_record(value: Any) -> Any:
    """The structure with every Sealed/Computed leaf replaced by its placeholder text."""
    if isinstance(value, Sealed):
        return secret_placeholder(value.name)
    if isinstance(value, Computed):
        return value.shown if value.shown is not None else output_placeholder(value.name)
    if isinstance(value, Mapping):
        return {k: for_record(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [for_record(v) for v in value]
    return value


def for_apply(value: Any) -> Any:
    """The structure with every Sealed leaf a secret Output and every Computed leaf its input."""
    if isinstance(value, Sealed):
        return pulumi.Output.secret(value.value)
    if isinstance(value, Computed):
        return value.value
    if isinstance(value, Mapping):
        return {k: for_apply(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [for_apply(v) for v in value]
    return value


def to_yaml(document: Any) -> str:
    return yaml.safe_dump(for_record(document), sort_keys=False, default_flow_style=False)


def record(name: str, document: Any) -> None:
    artifacts.record(artifacts.CLUSTER, f"k8s/{name}.yaml", to_yaml(document))


_BUILT_IN: dict[tuple[str, str], Any] = {
    ("v1", "Namespace"): k8s.core.v1.Namespace,
    ("v1", "Secret"): k8s.core.v1.Secret,
    ("v1", "Service"): k8s.core.v1.Service,
    ("apps/v1", "Deployment"): k8s.apps.v1.Deployment,
    ("networking.k8s.io/v1", "Ingress"): k8s.networking.v1.Ingress,
    ("node.k8s.io/v1", "RuntimeClass"): k8s.node.v1.RuntimeClass,
}
# Top-level fields of built-in kinds, by their Python argument name.
_ARGUMENTS = {"metadata": "metadata", "spec": "spec", "type": "type", "stringData": "string_data",
              "data": "data", "handler": "handler", "scheduling": "scheduling", "immutable": "immutable"}


def apply(
    name: str,
    document: Mapping[str, Any],
    *,
    provider: k8s.Provider,
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
) -> pulumi.CustomResource:
    """Record `document` as cluster/k8s/<name>.yaml and create it with the explicit provider."""
    record(name, document)
    opts = pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on))
    api_version, kind = document["apiVersion"], document["kind"]
    body = {k: for_apply(v) for k, v in document.items() if k not in ("apiVersion", "kind")}
    built_in = _BUILT_IN.get((api_version, kind))
    if built_in is not None:
        unknown = set(body) - set(_ARGUMENTS)
        if unknown:
            raise ValueError(f"{kind} {name}: fields {sorted(unknown)} are not mapped in k8s/manifest.py")
        resource: pulumi.CustomResource = built_in(name, opts=opts, **{_ARGUMENTS[k]: v for k, v in body.items()})
        return resource
    # Custom resources (MetalLB, Argo CD): their CRDs come from a chart the caller depends on.
    return k8s.apiextensions.CustomResource(
        name, api_version=api_version, kind=kind, opts=opts, **body  # metadata, spec
    )
