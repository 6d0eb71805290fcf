"""Every cloud resource names an explicit provider; global services and the edge are in us-east-1 whatever the
home region is, and a change of `aws.region` replaces nothing global and nothing protected."""

from collections.abc import Callable
from typing import Any

from offline.evaluate import Evaluation
from tests.aws_support import CLOUD_PACKAGES, region_of

EDGE_TYPES = (
    "aws:acm/",
    "aws:cloudfront/",
    "aws:route53/",
    "aws:cloudwatch/",
    "aws:sns/",
    "aws:iam/",  # global: its users and access keys are identities
)
REGIONAL_TYPES = ("aws:kms/", "aws:s3/")

Evaluate = Callable[[Callable[[dict[str, Any]], None]], Evaluation]


def _cloud(ev: Evaluation) -> list[Any]:
    return [r for r in ev.resources if r.custom and r.type.startswith(CLOUD_PACKAGES)]


def test_every_aws_resource_names_a_recorded_provider_of_its_own_package(real_evaluation: Evaluation) -> None:
    cloud = _cloud(real_evaluation)
    assert len(cloud) > 50
    for r in cloud:
        provider = real_evaluation.provider_of(r)  # fails on an empty (ambient default) provider
        assert provider.type == f"pulumi:providers:{r.type.split(':')[0]}", r.urn


def test_every_cloudflare_resource_names_a_recorded_provider(cloudflare_evaluation: Evaluation) -> None:
    ev = cloudflare_evaluation
    cloudflare = [r for r in _cloud(ev) if r.type.startswith("cloudflare:")]
    assert {r.type for r in cloudflare} >= {
        "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared",
        "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
        "cloudflare:index/dnsRecord:DnsRecord",
    }
    for r in _cloud(ev):
        assert ev.provider_of(r).type == f"pulumi:providers:{r.type.split(':')[0]}", r.urn


def test_there_are_exactly_two_aws_providers_both_inside_the_cluster_tree(real_evaluation: Evaluation) -> None:
    providers = real_evaluation.of_type("pulumi:providers:aws")
    assert sorted(p.name for p in providers) == ["aws-edge-us-east-1", "aws-regional"]
    for p in providers:
        assert p.parent.endswith("goldentooth:aws:Cloud::aws")
        assert "[secret]" not in str(p.inputs)  # credentials come from the environment, never the program


def test_edge_services_use_us_east_1_and_the_rest_the_configured_region(evaluate_edited: Evaluate) -> None:
    ev = evaluate_edited(lambda plain: plain["aws"].update(region="eu-west-1"))
    aws = [r for r in _cloud(ev) if r.type.startswith("aws:")]
    for r in aws:
        if r.type.startswith(EDGE_TYPES):
            assert region_of(ev, r) == "us-east-1", r.urn
        else:
            assert r.type.startswith(REGIONAL_TYPES), f"{r.type} is in neither list: decide its region"
            assert region_of(ev, r) == "eu-west-1", r.urn
    edge, regional = {ev.provider_of(r).urn for r in aws if r.type.startswith("aws:acm/")}, {
        ev.provider_of(r).urn for r in aws if r.type.startswith("aws:kms/")
    }
    assert edge.isdisjoint(regional)


def test_the_stack_makes_the_engine_refuse_default_aws_and_cloudflare_providers() -> None:
    import yaml

    from tests.conftest import STACK_FILE

    config = yaml.safe_load(STACK_FILE.read_text(encoding="utf-8"))["config"]
    assert {"aws", "cloudflare"} <= set(config["pulumi:disable-default-providers"])


def test_no_provider_is_named_after_the_configured_region(evaluate_edited: Evaluate) -> None:
    """A region in a provider's name would move every resource it manages when the region changes."""
    ev = evaluate_edited(lambda plain: plain["aws"].update(region="eu-west-1"))
    names = sorted(p.name for p in ev.of_type("pulumi:providers:aws"))
    assert names == ["aws-edge-us-east-1", "aws-regional"]
    [regional] = [p for p in ev.of_type("pulumi:providers:aws") if p.name == "aws-regional"]
    # a stack made under the old name (`aws-<region>`) continues under the new one
    assert [a.get("name") for a in regional.aliases] == ["aws-eu-west-1"]


def test_changing_the_region_replaces_nothing_global_and_nothing_protected(
    real_evaluation: Evaluation, evaluate_edited: Evaluate
) -> None:
    """URNs and inputs of the two evaluations: every global resource (and its provider) is exactly as it was;
    what changes is the regional provider's region, and no protected resource changes an input or its URN
    (its replacement, inherent in a region move, is left to the provider's DiffConfig, which the policy
    `protected-state-region` explains before anything runs)."""
    from tests.blast_radius import change_set

    edited = evaluate_edited(lambda plain: plain["aws"].update(region="eu-west-1"))
    changes = change_set(real_evaluation, edited)
    assert changes.created == changes.deleted == frozenset()
    global_urns = {r.urn for r in _cloud(real_evaluation) if r.type.startswith(EDGE_TYPES)}
    assert len(global_urns) > 20
    assert not global_urns & changes.updated, sorted(global_urns & changes.updated)
    protected = {r.urn for r in real_evaluation.resources if r.protect}
    before, after = real_evaluation.by_urn(), edited.by_urn()
    for urn in protected:
        assert before[urn].raw_inputs == after[urn].raw_inputs, urn
    regional = {r.urn for r in _cloud(real_evaluation) if r.type.startswith(REGIONAL_TYPES)}
    # the regional resources change provider configuration (that is the region move), nothing else in AWS does
    aws_updated = {u for u in changes.updated if u in before and before[u].type.startswith(("aws:", "pulumi:providers:aws"))}
    assert aws_updated == regional | {p.urn for p in real_evaluation.of_type("pulumi:providers:aws") if p.name == "aws-regional"}
