"""Every manifest the Kubernetes layer applies, and every chart values file it renders, checked by real schemas:
built-in kinds with kubernetes-validate (strict, the pinned minor), custom resources with the upstream CRD
schemas of the pinned chart versions, chart values against the chart's own values.yaml (no unknown keys) and,
where a chart copies a values fragment into a Kubernetes object, that fragment against the Kubernetes schema.

Not validated: what a chart's templates do with the values (no `helm template` offline).
"""

import copy
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from offline.evaluate import Evaluation
from tests.k8s_support import (
    chart_defaults,
    crd_schema,
    k8s_documents,
    strict_schema,
    unknown_value_keys,
    validate_custom_resource,
    validate_fragment,
    values_documents,
)

BUILT_IN_GROUPS = {"v1", "apps", "networking.k8s.io", "node.k8s.io"}
CHARTS = {
    "metallb": "metallb-0.14.5",
    "argocd": "argo-cd-7.1.5",
    "external-dns": "external-dns-1.15.0",
    "nvidia-device-plugin": "nvidia-device-plugin-0.17.0",
    "calico": "tigera-operator-v3.29.1",
}
# Subtrees the chart passes through verbatim, so its values.yaml cannot list their keys: argocd-cm takes any
# key; tigera-operator turns `installation` into the Installation spec (validated against its CRD below).
FREE_FORM = {"argocd": ("configs.cm.",), "calico": ("installation.",)}


def _minor(ev: Evaluation) -> str:
    return ev.spec.versions.kubernetes_minor


def _is_built_in(document: dict[str, Any]) -> bool:
    api = document["apiVersion"]
    return (api.split("/")[0] if "/" in api else "v1") in BUILT_IN_GROUPS


def test_the_layer_records_the_manifests_and_values_it_applies(real_evaluation: Evaluation) -> None:
    docs = k8s_documents(real_evaluation)
    kinds = sorted({d["kind"] for d in docs.values()})
    assert kinds == ["AppProject", "ApplicationSet", "Deployment", "IPAddressPool", "L2Advertisement", "Namespace",
                     "RuntimeClass", "Secret", "Service"]
    assert sorted(values_documents(real_evaluation)) == sorted(CHARTS)


def test_every_built_in_manifest_passes_strict_schema_validation_for_the_pinned_version(real_evaluation: Evaluation) -> None:
    checked = 0
    for path, document in k8s_documents(real_evaluation).items():
        if _is_built_in(document):
            assert kubernetes_validate.validate(document, _minor(real_evaluation), strict=True), path
            checked += 1
    assert checked >= 10


def test_strict_schema_validation_rejects_a_misspelt_field(real_evaluation: Evaluation) -> None:
    deployment = copy.deepcopy(k8s_documents(real_evaluation)["k8s/httpbin-deployment.yaml"])
    deployment["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, _minor(real_evaluation), strict=True)


def test_every_custom_resource_matches_its_upstream_crd_schema(real_evaluation: Evaluation) -> None:
    custom = [d for d in k8s_documents(real_evaluation).values() if not _is_built_in(d)]
    assert sorted(d["kind"] for d in custom) == ["AppProject", "ApplicationSet", "IPAddressPool", "L2Advertisement"]
    for document in custom:
        validate_custom_resource(document)


def test_crd_validation_rejects_the_references_invalid_applicationset_label_selector(real_evaluation: Evaluation) -> None:
    appset = copy.deepcopy(k8s_documents(real_evaluation)["k8s/argocd-applicationset-gitops-repo.yaml"])
    github = appset["spec"]["generators"][0]["scmProvider"]["github"]
    github["labelSelector"] = {"matchLabels": {"gitops-repo": "true"}}
    with pytest.raises(jsonschema.ValidationError):
        validate_custom_resource(appset)


def test_crd_validation_rejects_a_wildcard_hostname_node_selector_value_type(real_evaluation: Evaluation) -> None:
    l2 = copy.deepcopy(k8s_documents(real_evaluation)["k8s/metallb-l2advertisement.yaml"])
    l2["spec"]["interfaces"] = "eth0"  # a string where the CRD wants a list
    with pytest.raises(jsonschema.ValidationError):
        validate_custom_resource(l2)


@pytest.mark.parametrize("release", sorted(CHARTS))
def test_chart_values_only_use_keys_the_pinned_chart_declares(real_evaluation: Evaluation, release: str) -> None:
    ours = values_documents(real_evaluation)[release]
    unknown = unknown_value_keys(ours, chart_defaults(CHARTS[release]))
    allowed = FREE_FORM.get(release, ())
    assert [k for k in unknown if not k.startswith(allowed)] == []


def test_the_unknown_key_check_catches_a_misspelt_chart_value() -> None:
    assert unknown_value_keys({"server": {"replica": 2}}, chart_defaults(CHARTS["argocd"])) == ["server.replica"]


def test_calico_installation_values_match_the_operator_installation_crd(real_evaluation: Evaluation) -> None:
    installation = dict(values_documents(real_evaluation)["calico"]["installation"])
    installation.pop("enabled")  # consumed by the chart, the rest becomes Installation.spec
    spec_schema = strict_schema(crd_schema("operator.tigera.io/v1", "Installation")["properties"]["spec"])
    jsonschema.Draft202012Validator(spec_schema).validate(installation)
    assert installation["calicoNetwork"]["ipPools"][0]["cidr"] == str(real_evaluation.spec.network.pods)


def test_values_fragments_copied_into_pods_are_valid_kubernetes_objects(real_evaluation: Evaluation) -> None:
    version, values = _minor(real_evaluation), values_documents(real_evaluation)
    ed, gpu = values["external-dns"], values["nvidia-device-plugin"]
    for env in ed["env"]:
        validate_fragment(env, "envvar-v1", version)
    for volume in ed["extraVolumes"]:
        validate_fragment(volume, "volume-v1", version)
    for mount in ed["extraVolumeMounts"]:
        validate_fragment(mount, "volumemount-v1", version)
    validate_fragment(ed["resources"], "resourcerequirements-v1", version)
    for toleration in gpu["tolerations"]:
        validate_fragment(toleration, "toleration-v1", version)
    validate_fragment(gpu["affinity"], "affinity-v1", version)
    with pytest.raises(jsonschema.ValidationError):
        validate_fragment({"key": "gpu", "effect": "NoSchedul", "bogus": 1}, "toleration-v1", version)
