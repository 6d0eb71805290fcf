"""The Cloudflare layer when enabled: random secret -> tunnel -> ingress config and proxied CNAMEs -> token,
with public apps from the Kubernetes layer routed beside the configured routes; nothing when disabled."""

import copy
import json
import subprocess
import sys
from typing import Any

import pytest
from pulumi.runtime.sync_await import _sync_await
from pydantic import SecretStr

from cluster.component import Cluster
from offline.evaluate import Evaluation
from offline.plan import plan_document
from tests.aws_support import CF_ACCOUNT, CF_ZONE_ID, with_cloudflare
from tests.conftest import ROOT, TEST_SECRETS

TUNNEL = "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared"
CONFIG = "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig"
RECORD = "cloudflare:index/dnsRecord:DnsRecord"


@pytest.fixture(scope="module")
def enabled(cloudflare_evaluation: Evaluation) -> tuple[Evaluation, Cluster]:
    """Cloudflare on, with one configured route and the sample httpbin app marked public (the session's shared
    evaluation of that stack, tests/topologies.py), and the `Cluster` it built."""
    assert isinstance(cloudflare_evaluation.program, Cluster)
    return cloudflare_evaluation, cloudflare_evaluation.program


def test_disabled_by_default_registers_nothing_from_cloudflare(real_evaluation: Evaluation) -> None:
    assert not [r for r in real_evaluation.resources if "cloudflare" in r.type]


def test_a_stack_without_the_layer_never_imports_the_cloudflare_sdk() -> None:
    """The SDK costs over a second to import; `goldentooth plan` of the real stack must not pay for it."""
    probe = (
        "import sys; from offline.evaluate import evaluate_file; from pathlib import Path;"
        "evaluate_file(Path('Pulumi.goldentooth.yaml'));"
        "print(sorted(m for m in sys.modules if m.startswith('pulumi_cloudflare')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.strip() == "[]"


def test_tunnel_is_remotely_managed_with_a_secret_from_pulumi_random(enabled: tuple[Evaluation, Cluster]) -> None:
    ev, _ = enabled
    tunnel = ev.one(TUNNEL, "goldentooth")
    secret = ev.one("random:index/randomBytes:RandomBytes", "goldentooth-secret")
    assert secret.inputs["length"] >= 32
    assert tunnel.inputs["configSrc"] == "cloudflare"
    assert tunnel.inputs["accountId"] == CF_ACCOUNT
    assert tunnel.inputs["tunnelSecret"] == "[secret]"
    assert tunnel.property_dependencies["tunnelSecret"] == (secret.urn,)


def test_ingress_has_every_route_in_order_and_ends_with_the_404_catch_all(enabled: tuple[Evaluation, Cluster]) -> None:
    ev, _ = enabled
    tunnel = ev.one(TUNNEL, "goldentooth")
    config = ev.one(CONFIG, "goldentooth")
    assert config.property_dependencies["tunnelId"] == (tunnel.urn,)
    assert config.inputs["config"]["ingresses"] == [
        {"hostname": "httpbin.goldentooth.net", "service": "http://10.4.11.1:80"},
        {"hostname": "pds.goldentooth.net", "service": "http://pds.pds.svc.cluster.local:3000"},
        {"service": "http_status:404"},
    ]


def test_render_shows_the_ingress_rules_as_configured(enabled: tuple[Evaluation, Cluster]) -> None:
    ev, _ = enabled
    [rendered] = [f for f in ev.files if (f.node, f.path) == ("cluster", "cloudflare/goldentooth-ingress.json")]
    assert json.loads(rendered.content) == ev.one(CONFIG, "goldentooth").inputs["config"]["ingresses"]


def test_each_public_hostname_is_a_proxied_cname_to_the_tunnel(enabled: tuple[Evaluation, Cluster]) -> None:
    ev, _ = enabled
    tunnel = ev.one(TUNNEL, "goldentooth")
    records = {r.inputs["name"]: r for r in ev.of_type(RECORD)}
    assert sorted(records) == ["httpbin.goldentooth.net", "pds.goldentooth.net"]
    for record in records.values():
        assert record.inputs["type"] == "CNAME"
        assert record.inputs["content"] == "placeholder-id-goldentooth.cfargotunnel.com"
        assert record.inputs["proxied"] is True and record.inputs["ttl"] == 1
        assert record.inputs["zoneId"] == CF_ZONE_ID
        assert record.property_dependencies["content"] == (tunnel.urn,)


def test_every_cloudflare_resource_uses_the_token_provider_and_the_token_is_secret(enabled: tuple[Evaluation, Cluster]) -> None:
    ev, cluster = enabled
    [provider] = ev.of_type("pulumi:providers:cloudflare")
    assert provider.inputs["apiToken"] == "[secret]"
    assert provider.raw_inputs["apiToken"] == TEST_SECRETS["cloudflareApiToken"]
    for r in (r for r in ev.resources if r.type.startswith("cloudflare:")):
        assert ev.provider_of(r).urn == provider.urn
    assert cluster.cloudflare is not None
    token = cluster.cloudflare.token
    assert _sync_await(token.is_secret()) is True
    assert _sync_await(token.future()) == "[placeholder tunnel token of tunnel]"


def test_no_secret_leaks_into_the_plan_with_the_layer_on(enabled: tuple[Evaluation, Cluster]) -> None:
    ev, _ = enabled
    text = json.dumps(plan_document(ev)) + "".join(f.content for f in ev.files)
    for key, value in TEST_SECRETS.items():
        assert value not in text, key
    assert "random bytes" not in text and "tunnel token" not in text


def test_missing_api_token_is_reported_only_when_the_layer_is_on(real_plain: dict[str, Any]) -> None:
    from config.errors import ConfigError
    from config.load import load
    from config.secrets import SecretValues

    values = {k: SecretStr(v) for k, v in TEST_SECRETS.items() if k != "cloudflareApiToken"}
    load(real_plain, SecretValues(values), require_secrets=True)  # off: not needed
    plain = copy.deepcopy(real_plain)
    with_cloudflare()(plain)
    with pytest.raises(ConfigError) as caught:
        load(plain, SecretValues(values), require_secrets=True)
    assert [v.path for v in caught.value.violations] == ["goldentooth:cloudflareApiToken"]
