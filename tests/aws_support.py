"""Helpers for the cloud-layer tests: find recorded resources, their providers and ancestors."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cluster.component import Cluster
from cluster.program import build as real_build
from config.secrets import SecretValues
from config.spec import ClusterSpec
from offline.evaluate import Evaluation, evaluate
from offline.recorder import RecordedResource
from tests.conftest import fake_secret_values

# Plain ids, not secrets: enough to turn the Cloudflare layer on in a test.
CF_ACCOUNT = "0123456789abcdef0123456789abcdef"
CF_ZONE_ID = "fedcba9876543210fedcba9876543210"
CLOUD_PACKAGES = ("aws:", "cloudflare:")


def of_type(ev: Evaluation, type_: str) -> list[RecordedResource]:
    return [r for r in ev.resources if r.type == type_]


def one(ev: Evaluation, type_: str, name: str) -> RecordedResource:
    found = [r for r in of_type(ev, type_) if r.name == name]
    assert len(found) == 1, f"expected one {type_} named {name}, found {len(found)}"
    return found[0]


def ancestors(ev: Evaluation, resource: RecordedResource) -> Iterator[RecordedResource]:
    by_urn = ev.by_urn()
    current = by_urn.get(resource.parent)
    while current is not None:
        yield current
        current = by_urn.get(current.parent)


def within(ev: Evaluation, resource: RecordedResource, component_type: str) -> bool:
    return any(a.type == component_type for a in ancestors(ev, resource))


def provider_of(ev: Evaluation, resource: RecordedResource) -> RecordedResource:
    """The recorded provider resource a reference (`<urn>::<id>`) points at."""
    assert resource.provider, f"{resource.urn} uses the ambient default provider"
    urn = resource.provider.rsplit("::", 1)[0]
    return ev.by_urn()[urn]


def region_of(ev: Evaluation, resource: RecordedResource) -> str:
    return str(provider_of(ev, resource).inputs["region"])


def policy(resource: RecordedResource) -> dict[str, Any]:
    document = json.loads(resource.inputs["policy"])
    assert isinstance(document, dict)
    return document


def depends_on(resource: RecordedResource, other: RecordedResource) -> bool:
    return other.urn in resource.dependencies


def with_cloudflare(**extra: Any) -> Callable[[dict[str, Any]], None]:
    """An edit that turns the Cloudflare layer on for a zone of the same name as the cluster's."""

    def edit(plain: dict[str, Any]) -> None:
        plain["cloudflare"] = {
            "enabled": True,
            "accountId": CF_ACCOUNT,
            "zone": "goldentooth.net",
            "zoneId": CF_ZONE_ID,
            "tunnelName": "goldentooth",
            "routes": [{"hostname": "pds.goldentooth.net", "service": "http://pds.pds.svc.cluster.local:3000"}],
            **extra,
        }

    return edit


def evaluate_keeping_cluster(plain: dict[str, Any]) -> tuple[Evaluation, Cluster]:
    """Evaluate like the fixtures do, and keep the `Cluster` object so a test can read its handles."""
    captured: list[Cluster] = []

    def build(spec: ClusterSpec, secrets: SecretValues) -> Cluster:
        captured.append(real_build(spec, secrets))
        return captured[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("offline.evaluate.build", build)
        ev = evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"})
    return ev, captured[0]
