"""Helpers for the cloud-layer tests (queries on an evaluation are `Evaluation` methods): regions, policies,
Cloudflare on."""

import json
from collections.abc import Callable
from typing import Any

from offline.evaluate import Evaluation
from offline.recorder import RecordedResource

# Plain ids, not secrets: enough to turn the Cloudflare layer on in a test.
CF_ACCOUNT = "0123456789abcdef0123456789abcdef"
CF_ZONE_ID = "fedcba9876543210fedcba9876543210"
CLOUD_PACKAGES = ("aws:", "cloudflare:")


def region_of(ev: Evaluation, resource: RecordedResource) -> str:
    return str(ev.provider_of(resource).inputs["region"])


def policy(resource: RecordedResource) -> dict[str, Any]:
    document = json.loads(resource.inputs["policy"])
    assert isinstance(document, dict)
    return document


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
