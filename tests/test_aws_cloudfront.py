"""CloudFront: HTTPS-only viewers with a modern TLS floor, the home proxy's uncached pass-through, and the
bare domain's redirect, whose JavaScript is executed here with node."""

import json
import subprocess
from typing import Any

from aws import cloudfront_settings as cf
from aws.redirect_function import redirect_code
from offline.evaluate import Evaluation, depends_directly
from offline.placeholders import resource_id
from tests.aws_support import policy, region_of
from tests.tools import system_tool


def _distribution(ev: Evaluation, name: str) -> dict[str, Any]:
    return ev.one("aws:cloudfront/distribution:Distribution", name).inputs


def test_both_distributions_redirect_http_and_require_tls_1_2_2021_with_sni(real_evaluation: Evaluation) -> None:
    for d in real_evaluation.of_type("aws:cloudfront/distribution:Distribution"):
        inputs = d.inputs
        assert inputs["defaultCacheBehavior"]["viewerProtocolPolicy"] == "redirect-to-https"
        assert inputs["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
        assert inputs["viewerCertificate"]["sslSupportMethod"] == "sni-only"
        assert "cloudfrontDefaultCertificate" not in inputs["viewerCertificate"]
        assert inputs["priceClass"] == "PriceClass_100"
        assert inputs["defaultCacheBehavior"]["cachePolicyId"] == cf.CACHING_DISABLED
        assert inputs["retainOnDelete"] is False  # a disabled leftover would keep the aliases reserved
        assert inputs["restrictions"]["geoRestriction"] == {
            "restrictionType": "whitelist",
            "locations": sorted(real_evaluation.spec.aws.geo_allow),
        }
        assert region_of(real_evaluation, d) == "us-east-1"


def test_home_proxy_forwards_every_viewer_header_to_the_configured_origin_over_https(real_evaluation: Evaluation) -> None:
    inputs = _distribution(real_evaluation, "home-proxy")
    assert inputs["aliases"] == ["home-proxy.goldentooth.net", "*.home-proxy.goldentooth.net"]
    behaviour = inputs["defaultCacheBehavior"]
    assert behaviour["originRequestPolicyId"] == cf.ALL_VIEWER
    assert sorted(behaviour["allowedMethods"]) == ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    [origin] = inputs["origins"]
    assert origin["domainName"] == real_evaluation.spec.aws.home_proxy.origin == "clearbrook.goldentooth.net"
    assert behaviour["targetOriginId"] == origin["originId"]
    assert origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert origin["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
    assert origin["customOriginConfig"]["httpsPort"] == 7464


def test_each_alias_gets_a_and_aaaa_alias_records_to_its_distribution(real_evaluation: Evaluation) -> None:
    records = real_evaluation.of_type("aws:route53/record:Record")
    for name, aliases in (("home-proxy", ["home-proxy.goldentooth.net", "*.home-proxy.goldentooth.net"]),
                          ("bare-domain", ["goldentooth.net"])):
        distribution = real_evaluation.one("aws:cloudfront/distribution:Distribution", name)
        assert distribution.inputs["isIpv6Enabled"] is True
        for alias in aliases:
            for type_ in ("A", "AAAA"):
                [record] = [r for r in records if r.inputs["name"] == alias and r.inputs["type"] == type_]
                [target] = record.inputs["aliases"]
                assert target["name"] == f"placeholder-{name}.cloudfront.net"
                assert target["evaluateTargetHealth"] is False
                assert set(record.property_dependencies["aliases"]) == {distribution.urn}
                assert "ttl" not in record.inputs and "records" not in record.inputs


def test_bare_domain_origin_is_the_private_bucket_through_origin_access_control(real_evaluation: Evaluation) -> None:
    distribution = real_evaluation.one("aws:cloudfront/distribution:Distribution", "bare-domain")
    oac = real_evaluation.one("aws:cloudfront/originAccessControl:OriginAccessControl", "bare-domain")
    bucket = real_evaluation.one("aws:s3/bucket:Bucket", "bare-domain-origin")
    assert oac.inputs["originAccessControlOriginType"] == "s3"
    assert oac.inputs["signingBehavior"] == "always"
    assert oac.inputs["signingProtocol"] == "sigv4"
    [origin] = distribution.inputs["origins"]
    assert origin["originAccessControlId"] == resource_id(oac.type, oac.name)
    assert origin["domainName"].endswith(".amazonaws.com")  # the REST endpoint, not the public website one
    assert "customOriginConfig" not in origin
    assert set(distribution.property_dependencies["origins"]) == {oac.urn, bucket.urn}


def test_bare_domain_bucket_policy_lets_only_this_distribution_read(real_evaluation: Evaluation) -> None:
    distribution = real_evaluation.one("aws:cloudfront/distribution:Distribution", "bare-domain")
    bucket_policy = real_evaluation.one("aws:s3/bucketPolicy:BucketPolicy", "bare-domain-origin")
    statements = {s["Sid"]: s for s in policy(bucket_policy)["Statement"]}
    read = statements["CloudFrontOriginAccessControl"]
    assert read["Effect"] == "Allow"
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::000000000000:distribution/placeholder-bare-domain"}}
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    assert set(statements) == {"CloudFrontOriginAccessControl", "DenyInsecureTransport"}
    assert depends_directly(bucket_policy, distribution)


def test_the_redirect_function_is_published_and_runs_on_viewer_request(real_evaluation: Evaluation) -> None:
    function = real_evaluation.one("aws:cloudfront/function:Function", "bare-domain")
    distribution = real_evaluation.one("aws:cloudfront/distribution:Distribution", "bare-domain")
    assert function.inputs["publish"] is True
    assert function.inputs["runtime"] == "cloudfront-js-2.0"
    assert function.inputs["code"] == redirect_code("https://clog.goldentooth.net")
    [association] = distribution.inputs["defaultCacheBehavior"]["functionAssociations"]
    assert association["eventType"] == "viewer-request"
    assert set(distribution.property_dependencies["defaultCacheBehavior"]) == {function.urn}


def _run_handler(code: str, uri: str) -> Any:
    node = system_tool("node", "nodejs")
    harness = "const h = new Function(require('fs').readFileSync(0, 'utf8') + '\\nreturn handler;')();" \
              f"process.stdout.write(JSON.stringify(h({{request: {{method: 'GET', uri: {json.dumps(uri)}}}}})));"
    done = subprocess.run([node, "-e", harness], input=code, capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)


def test_the_redirect_code_answers_301_to_the_blog_at_the_net_domain(real_evaluation: Evaluation) -> None:
    code = real_evaluation.one("aws:cloudfront/function:Function", "bare-domain").inputs["code"]
    for uri in ("/", "/anything?x=1"):
        response = _run_handler(code, uri)
        assert response == {
            "statusCode": 301,
            "statusDescription": "Moved Permanently",
            "headers": {"location": {"value": "https://clog.goldentooth.net"}},
        }


def test_a_target_with_quotes_cannot_break_out_of_the_javascript_string() -> None:
    hostile = 'https://x.example/";throw new Error("pwned");"'
    assert _run_handler(redirect_code(hostile), "/")["headers"]["location"]["value"] == hostile


def test_render_shows_the_cloud_side_files_as_deployed(real_evaluation: Evaluation) -> None:
    files = {f.path: f.content for f in real_evaluation.files if f.node == "cluster"}
    function = real_evaluation.one("aws:cloudfront/function:Function", "bare-domain")
    assert files["aws/cloudfront/bare-domain-redirect.js"] == function.inputs["code"]
    for name in ("goldentooth-vault-seal", "goldentooth-external-dns"):
        [user_policy] = [p for p in real_evaluation.of_type("aws:iam/userPolicy:UserPolicy") if p.inputs["user"] == name]
        assert json.loads(files[f"aws/iam/{name}.policy.json"]) == policy(user_policy)
    for bucket_policy in real_evaluation.of_type("aws:s3/bucketPolicy:BucketPolicy"):
        assert json.loads(files[f"aws/s3/{bucket_policy.name}.policy.json"]) == policy(bucket_policy)
