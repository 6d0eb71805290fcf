"""The storage layer's Kubernetes objects: plain dicts, recorded for `goldentooth render` and schema checks
(cluster/storage/k8s/<name>.yaml), then created through the explicit provider that `cluster/` hands over."""

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components import artifacts

RECORD_DIR = "storage/k8s"


class _Dumper(yaml.SafeDumper):
    """No `&id001` anchors for values shared between containers: each record reads on its own."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def record(name: str, document: Mapping[str, Any]) -> None:
    artifacts.record(artifacts.CLUSTER, f"{RECORD_DIR}/{name}.yaml",
                     yaml.dump(dict(document), Dumper=_Dumper, sort_keys=False, default_flow_style=False))


_KINDS: dict[tuple[str, str], Any] = {
    ("v1", "Namespace"): k8s.core.v1.Namespace,
    ("v1", "ServiceAccount"): k8s.core.v1.ServiceAccount,
    ("v1", "Secret"): k8s.core.v1.Secret,
    ("v1", "ConfigMap"): k8s.core.v1.ConfigMap,
    ("apps/v1", "Deployment"): k8s.apps.v1.Deployment,
    ("apps/v1", "DaemonSet"): k8s.apps.v1.DaemonSet,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): k8s.rbac.v1.ClusterRole,
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): k8s.rbac.v1.ClusterRoleBinding,
    ("storage.k8s.io/v1", "CSIDriver"): k8s.storage.v1.CSIDriver,
    ("storage.k8s.io/v1", "StorageClass"): k8s.storage.v1.StorageClass,
}
# Top-level manifest fields by their Python argument name.
_ARGUMENTS = {"metadata": "metadata", "spec": "spec", "rules": "rules", "subjects": "subjects", "roleRef": "role_ref",
              "provisioner": "provisioner", "reclaimPolicy": "reclaim_policy", "parameters": "parameters",
              "volumeBindingMode": "volume_binding_mode", "allowVolumeExpansion": "allow_volume_expansion",
              "data": "data", "stringData": "string_data", "type": "type"}


def apply(name: str, document: Mapping[str, Any], *, provider: k8s.Provider, parent: pulumi.Resource,
          depends_on: Sequence[pulumi.Resource] = (), values: Mapping[str, Any] | None = None) -> pulumi.CustomResource:
    """Record `document` and create it. `values` overrides top-level fields in what is applied (not recorded):
    secret Outputs go there, so the record only ever shows their placeholders."""
    record(name, document)
    kind = _KINDS[(document["apiVersion"], document["kind"])]
    body = {**{k: v for k, v in document.items() if k not in ("apiVersion", "kind")}, **(values or {})}
    resource: pulumi.CustomResource = kind(
        name, opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on)),
        **{_ARGUMENTS[k]: v for k, v in body.items()},
    )
    return resource


def storage_class(name: str, provisioner: str, *, reclaim: str, binding: str, default: bool,
                  parameters: Mapping[str, str] | None = None, expansion: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": name,
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true" if default else "false"},
        },
        "provisioner": provisioner,
        "reclaimPolicy": reclaim,
        "volumeBindingMode": binding,
        "allowVolumeExpansion": expansion,
        **({"parameters": dict(parameters)} if parameters else {}),
    }
