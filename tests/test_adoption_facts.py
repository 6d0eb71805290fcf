"""Issue 11 item 6, the facts decided from the reference (reasons in the README, "Facts decided for adoption"):
`cp.k8s` is the API load balancer the cluster's kubeadm uses, ExternalDNS keeps the live owner id and watches
HTTPRoutes too, and Argo CD keeps the live release name."""

from collections.abc import Callable
from ipaddress import IPv4Address
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from config.kubernetes import ExternalDnsSpec
from k8s.external_dns import ExternalDnsSettings, external_dns_values
from k8s.kubeadm.config import INIT_CONFIG_PATH
from offline.evaluate import Evaluation

TERRAFORM_KUBE_VIP = IPv4Address("10.4.0.9")  # Terraform HEAD's cp.k8s value (k8s_control_plane.tf)


def _record(ev: Evaluation, name: str, type_: str) -> Any:
    [record] = [r for r in ev.of_type("aws:route53/record:Record")
                if (r.inputs.get("name"), r.inputs.get("type")) == (name, type_)]
    return record


def _cluster_config(ev: Evaluation) -> dict[str, Any]:
    documents = list(yaml.safe_load_all(ev.file("bettley", INIT_CONFIG_PATH)))
    [cluster] = [d for d in documents if d.get("kind") == "ClusterConfiguration"]
    return cluster  # type: ignore[no-any-return]


def test_cp_k8s_is_the_endpoint_kubeadm_and_every_kubeconfig_use(real_evaluation: Evaluation) -> None:
    record = _record(real_evaluation, "cp.k8s.goldentooth.net", "A")
    cluster = _cluster_config(real_evaluation)
    host, _ = cluster["controlPlaneEndpoint"].rsplit(":", 1)
    assert record.inputs["records"] == [host] == ["10.4.0.10"]
    # The name it publishes is one the API server's certificate answers for.
    assert "cp.k8s.goldentooth.net" in cluster["apiServer"]["certSANs"]


def test_the_terraform_vip_is_no_address_of_this_cluster(real_evaluation: Evaluation) -> None:
    """Nothing here (no kube-vip, no node, no MetalLB address) answers on 10.4.0.9, so the record moves off it."""
    spec = real_evaluation.spec
    assert TERRAFORM_KUBE_VIP not in {n.ip for n in spec.nodes}
    assert TERRAFORM_KUBE_VIP not in spec.network.metallb
    assert not [r for r in real_evaluation.resources if "kube-vip" in r.name]


def test_a_moved_load_balancer_moves_the_record_and_the_endpoint_together(
    evaluate_edited: Callable[[Callable[[dict[str, Any]], None]], Evaluation],
) -> None:
    def move(plain: dict[str, Any]) -> None:
        plain["roles"]["haproxy"] = "gardener"

    ev = evaluate_edited(move)
    record = _record(ev, "cp.k8s.goldentooth.net", "A")
    host = _cluster_config(ev)["controlPlaneEndpoint"].rsplit(":", 1)[0]
    assert record.inputs["records"] == [host] == [str(ev.spec.node("gardener").ip)]


def test_external_dns_keeps_the_live_owner_id_and_watches_services_and_httproutes(real_evaluation: Evaluation) -> None:
    release = real_evaluation.one("kubernetes:helm.sh/v3:Release", "external-dns")
    values = release.inputs["values"]
    assert values["txtOwnerId"] == "external-dns-external-dns"  # the build log's --txt-owner-id and TXT records
    assert values["sources"] == ["service", "gateway-httproute"]
    assert values["policy"] == "sync"  # why every owning source must be watched: sync deletes the unwatched


def test_external_dns_sources_are_config_and_need_one() -> None:
    settings = ExternalDnsSettings("1.15.0", "goldentooth.net", "us-east-1", "x", ("service",))
    assert external_dns_values(settings)["sources"] == ["service"]
    with pytest.raises(ValidationError, match="at least one source"):
        ExternalDnsSpec(sources=())
    with pytest.raises(ValidationError, match="appear more than once"):
        ExternalDnsSpec(sources=("service", "service"))
    with pytest.raises(ValidationError):
        ExternalDnsSpec.model_validate({"sources": ["gateway-httproutes"]})


def test_argo_cd_keeps_the_live_release_name_and_namespace(real_evaluation: Evaluation) -> None:
    release = real_evaluation.one("kubernetes:helm.sh/v3:Release", "argocd")
    assert (release.inputs["name"], release.inputs["namespace"]) == ("argocd", "argocd")
    assert release.inputs["values"]["nameOverride"] == "argocd"  # the chart's objects keep their live names
    adopted = {(a.type, a.name, a.id) for a in real_evaluation.spec.adoption.resources}
    assert ("kubernetes:helm.sh/v3:Release", "argocd", None) in adopted  # imported as argocd/argocd
