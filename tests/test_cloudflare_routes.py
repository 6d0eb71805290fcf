"""Cloudflare config rules, route merging and ingress ordering (pure: no SDK, no evaluation)."""

import copy
from typing import Any

import pytest

from cloudflare.ingress import CATCH_ALL, ingress_rules
from cloudflare.routes import PublicRoute, merge_routes
from config.errors import ConfigError
from config.load import parse_spec
from tests.aws_support import with_cloudflare


def _violations(real_plain: dict[str, Any], **cloudflare: Any) -> list[str]:
    plain = copy.deepcopy(real_plain)
    with_cloudflare(**cloudflare)(plain)
    with pytest.raises(ConfigError) as caught:
        parse_spec(plain)
    return [str(v) for v in caught.value.violations]


def test_the_real_stack_has_the_layer_off(real_plain: dict[str, Any]) -> None:
    spec = parse_spec(real_plain).cloudflare
    assert spec.enabled is False and spec.routes == ()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"accountId": None, "zoneId": None}, "cloudflare: enabled needs accountId, zoneId"),
        ({"accountId": "not-an-id"}, "cloudflare.accountId: 'not-an-id' is not a Cloudflare id"),
        ({"routes": [{"hostname": "pds.goldentooth.com", "service": "http://pds:3000"}]},
         "cloudflare: pds.goldentooth.com lie outside the Cloudflare zone goldentooth.net"),
        ({"routes": [{"hostname": "a.goldentooth.net", "service": "http://a:80"}] * 2},
         "cloudflare: route hostnames a.goldentooth.net appear more than once"),
        ({"routes": [{"hostname": "a.goldentooth.net", "service": "http_status:404"}]},
         "cloudflare.routes[0].service: 'http_status:404' is not an origin URL cloudflared can reach"),
        ({"tunnelName": "Golden Tooth"}, "cloudflare.tunnelName: must be a name of lower-case letters, digits and '-', starting with a letter"),
    ],
)
def test_each_cloudflare_rule_names_the_field(real_plain: dict[str, Any], fields: dict[str, Any], expected: str) -> None:
    found = _violations(real_plain, **fields)
    assert any(v.startswith(expected) for v in found), found


def test_routes_merge_sorted_and_a_hostname_with_two_services_is_refused() -> None:
    a, b = PublicRoute("b.example.net", "http://b:80"), PublicRoute("a.example.net", "http://a:80")
    assert merge_routes("example.net", [a], [b, a]) == (b, a)
    with pytest.raises(ValueError, match=r"a.example.net is routed to both http://a:80 and http://other:80"):
        merge_routes("example.net", [b], [PublicRoute("a.example.net", "http://other:80")])
    with pytest.raises(ValueError, match="outside the Cloudflare zone"):
        merge_routes("example.net", [PublicRoute("a.example.org", "http://a:80")])


def test_ingress_puts_exact_names_before_wildcards_and_the_catch_all_last() -> None:
    rules = ingress_rules([
        PublicRoute("*.pds.example.net", "http://pds:3000"),
        PublicRoute("pds.example.net", "http://pds:3000"),
        PublicRoute("app.example.net", "http://app:80"),
    ])
    assert [r.get("hostname") for r in rules] == ["app.example.net", "pds.example.net", "*.pds.example.net", None]
    assert rules[-1] == {"service": CATCH_ALL}
    assert ingress_rules([]) == [{"service": CATCH_ALL}]


def _with_public_app(plain: dict[str, Any], name: str = "httpbin") -> None:
    plain["kubernetes"] = {"apps": [{"name": name, "image": "mccutchen/go-httpbin:v2.15.0", "port": 8080, "public": True,
                                     "loadBalancerIp": "10.4.11.1"}]}


def test_a_public_app_with_the_tunnel_off_is_reported(real_plain: dict[str, Any]) -> None:
    plain = copy.deepcopy(real_plain)
    _with_public_app(plain)
    with pytest.raises(ConfigError) as caught:
        parse_spec(plain)
    assert [str(v) for v in caught.value.violations] == [
        "kubernetes.apps[0].public: app 'httpbin' is public but the Cloudflare tunnel is off (cloudflare.enabled)"
    ]


def test_a_public_app_outside_the_cloudflare_zone_or_also_routed_in_config_is_reported(real_plain: dict[str, Any]) -> None:
    plain = copy.deepcopy(real_plain)
    with_cloudflare(zone="tunnel.example", routes=[])(plain)
    _with_public_app(plain)
    with pytest.raises(ConfigError) as caught:
        parse_spec(plain)
    assert [str(v) for v in caught.value.violations] == [
        "kubernetes.apps[0].public: httpbin.goldentooth.net is outside the Cloudflare zone tunnel.example"
    ]
    plain = copy.deepcopy(real_plain)
    with_cloudflare(routes=[{"hostname": "httpbin.goldentooth.net", "service": "http://elsewhere:80"}])(plain)
    _with_public_app(plain)
    with pytest.raises(ConfigError) as caught:
        parse_spec(plain)
    assert [str(v) for v in caught.value.violations] == [
        "kubernetes.apps[0].public: httpbin.goldentooth.net is also a route in cloudflare.routes; publish it once"
    ]
