"""`goldentooth:aws` validation: each rule rejects a bad value with its path, before anything is registered."""

import copy
from collections.abc import Callable
from typing import Any

import pytest

from config.errors import ConfigError
from config.load import parse_spec

Edit = Callable[[dict[str, Any]], None]


def _violations(real_plain: dict[str, Any], edit: Edit) -> list[str]:
    plain = copy.deepcopy(real_plain)
    edit(plain)
    with pytest.raises(ConfigError) as caught:
        parse_spec(plain)
    return [str(v) for v in caught.value.violations]


def _set(path: str, value: Any) -> Edit:
    def edit(plain: dict[str, Any]) -> None:
        target = plain["aws"]
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return edit


def test_the_real_aws_section_parses(real_plain: dict[str, Any]) -> None:
    aws = parse_spec(real_plain).aws
    assert aws.zone_id == "Z0736727S7ZH91VKK44A"
    assert aws.blog.name == "clog" and aws.alert_email == "alerts@goldentooth.net"
    assert aws.vault_seal.alias == "goldentooth/vault-seal"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_set("zoneId", "goldentooth.net"), "aws.zoneId: must be a Route53 zone id such as Z0736727S7ZH91VKK44A (got 'goldentooth.net')"),
        (_set("region", "US East"), "aws.region: must be an AWS region name such as us-east-1 (got 'US East')"),
        (_set("ttl", {"default": 0}), "aws.ttl.default: must be at least 1 (got 0)"),
        (_set("blog.target", "GitHub Pages"), "aws.blog.target: 'GitHub Pages' is not a lower-case DNS name"),
        (_set("blog.name", "clog.goldentooth.net."), "aws.blog.name: 'clog.goldentooth.net.' is not a record name relative to the zone"),
        (_set("records", [{"name": "x", "type": "A", "values": ["10.4.0.300"]}]), "aws.records[0]: '10.4.0.300' is not an address for an A record"),
        (_set("records", [{"name": "x", "type": "CNAME", "values": ["a.example", "b.example"]}]), "aws.records[0]: a CNAME has exactly one target"),
        (_set("records", [{"name": "clog", "type": "A", "values": ["10.4.0.10"]}]), "aws: record names clog appear more than once"),
        (_set("records", [{"name": "*.home-proxy", "type": "A", "values": ["10.4.0.10"]}]), "aws: record *.home-proxy is the home proxy's alias"),
        (_set("homeProxy.origin", "10.4.0.1:7464"), "aws.homeProxy.origin: '10.4.0.1:7464' is not a lower-case DNS name"),
        (_set("homeProxy.name", "*.home-proxy"), "aws.homeProxy.name: '*.home-proxy': name the proxy without '*.'"),
        (_set("geoAllow", ["US", "usa"]), "aws.geoAllow: 'usa' is not an ISO 3166-1 alpha-2 country code"),
        (_set("vaultSeal", {"alias": "alias/goldentooth/vault-seal"}), "aws.vaultSeal.alias: 'alias/goldentooth/vault-seal': give the name without 'alias/'"),
        (_set("vaultSeal", {"deletionWindowDays": 3}), "aws.vaultSeal.deletionWindowDays: must be at least 7 (got 3)"),
        (_set("buckets.1.name", "goldentooth.state"), "aws.buckets[1].name: 'goldentooth.state' is not a dot-free S3 bucket name"),
        (_set("buckets.1.name", "goldentooth-backups"), "aws: bucket names goldentooth-backups appear more than once"),
        (_set("healthChecks.1.name", "pds"), "aws: health check names pds appear more than once"),
        (_set("healthChecks.0.path", "status"), "aws.healthChecks[0].path: must be an absolute path without spaces"),
        (_set("alertEmail", "alerts"), "aws.alertEmail: must be an email address"),
    ],
)
def test_each_aws_rule_names_the_field(real_plain: dict[str, Any], edit: Edit, expected: str) -> None:
    found = _violations(real_plain, edit)
    assert any(v.startswith(expected) for v in found), found


def test_a_missing_aws_section_is_reported(real_plain: dict[str, Any]) -> None:
    assert "goldentooth:aws: is required" in _violations(real_plain, lambda plain: plain.pop("aws"))
