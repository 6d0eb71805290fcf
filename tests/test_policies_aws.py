"""AWS rules, each with a compliant and a violating case built from real pulumi_aws registrations."""

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from offline.evaluate import Evaluation
from policies import aws_rules
from tests.policy_support import recorded_args, recorded_stack, resource_args, violations


def _bucket(name: str, *, tags: dict[str, str] | None = None) -> aws.s3.Bucket:
    return aws.s3.Bucket(name, tags=tags, opts=pulumi.ResourceOptions(protect=True))


def _private(bucket: aws.s3.Bucket, name: str, *, block_policy: bool = True, encrypt: bool = True, version: bool = True) -> None:
    aws.s3.BucketPublicAccessBlock(name, bucket=bucket.id, block_public_acls=True, block_public_policy=block_policy,
                                   ignore_public_acls=True, restrict_public_buckets=True)
    if encrypt:
        aws.s3.BucketServerSideEncryptionConfiguration(name, bucket=bucket.id, rules=[{
            "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
    if version:
        aws.s3.BucketVersioning(name, bucket=bucket.id, versioning_configuration={"status": "Enabled"})


def compliant_buckets() -> None:
    _private(_bucket("backups"), "backups")
    # A bucket that holds nothing durable opts out of versioning with the tag.
    _private(_bucket("site", tags={"goldentooth:stateful": "false"}), "site", version=False)


def test_private_encrypted_versioned_buckets_pass_every_s3_rule(real_evaluation: Evaluation) -> None:
    args = recorded_stack(real_evaluation, compliant_buckets)
    for policy in (aws_rules.s3_public_access_blocked, aws_rules.s3_encrypted, aws_rules.s3_data_versioned):
        assert violations(policy, args) == [], policy.name


def test_bucket_without_public_access_block_is_reported(real_evaluation: Evaluation) -> None:
    def program() -> None:
        _bucket("open")

    args = recorded_stack(real_evaluation, program)
    assert violations(aws_rules.s3_public_access_blocked, args) == ["bucket open has no BucketPublicAccessBlock."]


def test_public_access_block_with_one_setting_off_is_reported(real_evaluation: Evaluation) -> None:
    args = recorded_stack(real_evaluation, lambda: _private(_bucket("leaky"), "leaky", block_policy=False))
    assert violations(aws_rules.s3_public_access_blocked, args) == [
        "bucket leaky: public access block leaves blockPublicPolicy off."
    ]


def test_public_access_block_of_another_bucket_does_not_count(real_evaluation: Evaluation) -> None:
    def program() -> None:
        _private(_bucket("a"), "a")
        _bucket("b")

    assert violations(aws_rules.s3_public_access_blocked, recorded_stack(real_evaluation, program)) == [
        "bucket b has no BucketPublicAccessBlock."
    ]


def test_unencrypted_bucket_is_reported(real_evaluation: Evaluation) -> None:
    args = recorded_stack(real_evaluation, lambda: _private(_bucket("plain"), "plain", encrypt=False))
    assert violations(aws_rules.s3_encrypted, args) == ["bucket plain has no server-side encryption configuration."]


def test_unversioned_data_bucket_is_reported(real_evaluation: Evaluation) -> None:
    args = recorded_stack(real_evaluation, lambda: _private(_bucket("data"), "data", version=False))
    assert violations(aws_rules.s3_data_versioned, args) == ["data bucket data is not versioned."]


def _kms(enable: bool | None, spec: str | None = None) -> Any:
    props: dict[str, Any] = {"description": "vault seal"}
    if enable is not None:
        props["enableKeyRotation"] = enable
    if spec is not None:
        props["customerMasterKeySpec"] = spec
    return resource_args("aws:kms/key:Key", props)


def test_rotating_kms_key_passes() -> None:
    assert violations(aws_rules.kms_rotation, _kms(True)) == []


@pytest.mark.parametrize("enable", [False, None])
def test_kms_key_without_rotation_is_reported(enable: bool | None) -> None:
    assert violations(aws_rules.kms_rotation, _kms(enable)) == ["KMS key subject does not enable automatic key rotation."]


def test_asymmetric_kms_keys_cannot_rotate_and_are_not_reported() -> None:
    assert violations(aws_rules.kms_rotation, _kms(None, "RSA_2048")) == []


def _distribution(viewer: str = "redirect-to-https", tls: str = "TLSv1.2_2021", *, ordered: str | None = None,
                  default_cert: bool = False) -> dict[str, Any]:
    behaviour = {"targetOriginId": "s3", "viewerProtocolPolicy": viewer, "allowedMethods": ["GET", "HEAD"]}
    props: dict[str, Any] = {
        "enabled": True,
        "defaultCacheBehavior": behaviour,
        "viewerCertificate": {"cloudfrontDefaultCertificate": True} if default_cert else {
            "acmCertificateArn": "arn:aws:acm:us-east-1:000000000000:certificate/x",
            "sslSupportMethod": "sni-only",
            "minimumProtocolVersion": tls,
        },
    }
    if ordered is not None:
        props["orderedCacheBehaviors"] = [{**behaviour, "pathPattern": "/api/*", "viewerProtocolPolicy": ordered}]
    return props


CLOUDFRONT = "aws:cloudfront/distribution:Distribution"


@pytest.mark.parametrize("viewer,tls", [("redirect-to-https", "TLSv1.2_2021"), ("https-only", "TLSv1.2_2025")])
def test_https_only_cloudfront_on_modern_tls_passes(viewer: str, tls: str) -> None:
    assert violations(aws_rules.cloudfront_https, resource_args(CLOUDFRONT, _distribution(viewer, tls))) == []


def test_cloudfront_allowing_http_is_reported() -> None:
    found = violations(aws_rules.cloudfront_https, resource_args(CLOUDFRONT, _distribution("allow-all")))
    assert found == ["subject: default cache behaviour allows plain HTTP (viewerProtocolPolicy='allow-all')."]


def test_cloudfront_ordered_behaviour_allowing_http_is_reported() -> None:
    found = violations(aws_rules.cloudfront_https, resource_args(CLOUDFRONT, _distribution(ordered="allow-all")))
    assert found == ["subject: cache behaviour /api/* allows plain HTTP (viewerProtocolPolicy='allow-all')."]


@pytest.mark.parametrize("tls", ["TLSv1.2_2019", "TLSv1.1_2016", "TLSv1"])
def test_cloudfront_below_tls_1_2_2021_is_reported(tls: str) -> None:
    found = violations(aws_rules.cloudfront_https, resource_args(CLOUDFRONT, _distribution(tls=tls)))
    assert len(found) == 1 and f"minimumProtocolVersion is '{tls}'" in found[0]


def test_cloudfront_default_certificate_is_reported() -> None:
    found = violations(aws_rules.cloudfront_https, resource_args(CLOUDFRONT, _distribution(default_cert=True)))
    assert found == ["subject uses the default *.cloudfront.net certificate, which accepts TLSv1."]


def test_cloudfront_accepted_tls_versions_come_from_policy_config() -> None:
    args = resource_args(CLOUDFRONT, _distribution(tls="TLSv1.2_2021"), config={"minimumProtocolVersions": ["TLSv1.3_2025"]})
    assert len(violations(aws_rules.cloudfront_https, args)) == 1


ACM = "aws:acm/certificate:Certificate"


def test_dns_validated_certificate_passes() -> None:
    props = {"domainName": "goldentooth.net", "validationMethod": "DNS"}
    assert violations(aws_rules.acm_dns_validation, resource_args(ACM, props)) == []


def test_email_validated_certificate_is_reported() -> None:
    props = {"domainName": "goldentooth.net", "validationMethod": "EMAIL"}
    assert violations(aws_rules.acm_dns_validation, resource_args(ACM, props)) == [
        "certificate subject is validated by EMAIL, not DNS."
    ]


def _policy(statements: list[dict[str, Any]], resource_type: str = "aws:iam/policy:Policy") -> Any:
    return resource_args(resource_type, {"policy": json.dumps({"Version": "2012-10-17", "Statement": statements})})


ZONE = "arn:aws:route53:::hostedzone/Z0123456789"


def test_scoped_iam_policy_passes() -> None:
    args = _policy([
        {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"], "Resource": [ZONE]},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::goldentooth-backups/*"},
        {"Effect": "Allow", "Action": ["route53:ListHostedZones"], "Resource": "*"},  # AWS grants it only on *
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ])
    assert violations(aws_rules.iam_no_wildcards, args) == []


@pytest.mark.parametrize(
    "statement,expected",
    [
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"}, "allows wildcard actions s3:*"),
        ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}, "allows wildcard actions *"),
        ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, "on wildcard resources *"),
        ({"Effect": "Allow", "Action": "route53:ChangeResourceRecordSets", "Resource": "arn:aws:route53:::hostedzone/*"},
         "on wildcard resources arn:aws:route53:::hostedzone/*"),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": ZONE}, "uses NotAction"),
    ],
)
def test_wildcard_iam_statements_are_reported(statement: dict[str, Any], expected: str) -> None:
    found = violations(aws_rules.iam_no_wildcards, _policy([statement]))
    assert any(expected in f for f in found), found


def test_wildcards_in_role_inline_policies_and_user_policies_are_reported() -> None:
    wildcard = {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}
    assert violations(aws_rules.iam_no_wildcards, _policy([wildcard], "aws:iam/userPolicy:UserPolicy"))
    role = resource_args("aws:iam/role:Role", {"inlinePolicies": [
        {"name": "seal", "policy": json.dumps({"Statement": [wildcard]})}]})
    assert violations(aws_rules.iam_no_wildcards, role)


def test_iam_policy_document_from_the_real_sdk_is_read_through_engine_names(real_evaluation: Evaluation) -> None:
    def program() -> None:
        aws.iam.Policy("seal", policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}))

    found = [m for args in recorded_args(real_evaluation, program) for m in violations(aws_rules.iam_no_wildcards, args)]
    assert found == [
        "seal: a statement allows wildcard actions kms:*.",
        "seal: a statement allows kms:* on wildcard resources *.",
    ]


WILDCARD_RESOURCES: list[tuple[str, bool]] = [
    ("*", True),
    ("arn:aws:s3:::*", True),
    ("arn:aws:s3:::goldentooth-backups/*", False),
    ("arn:aws:kms:us-east-1:000000000000:key/*", True),
    ("arn:aws:kms:us-east-1:000000000000:key/1234", False),
    ("arn:aws:logs:*:*:*", True),
]


@pytest.mark.parametrize("arn,wild", WILDCARD_RESOURCES)
def test_wildcard_resource_recognition(arn: str, wild: bool) -> None:
    assert aws_rules.wildcard_resource(arn) is wild

