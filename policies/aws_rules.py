"""AWS rules: private, encrypted, versioned buckets; rotating KMS keys; HTTPS-only CloudFront on modern TLS;
DNS-validated certificates; IAM policies without wildcard actions or resources."""

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from policies.common import MANDATORY, as_list, get, is_map, schema, setting
from policies.stateful import BUCKET_TYPES, bucket_is_data

PUBLIC_ACCESS_BLOCK = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
VERSIONING = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")


# --- S3: a bucket and the companion resources that configure it -------------------------------------------


def _companions(resources: list[PolicyResource], bucket: PolicyResource, types: tuple[str, ...]) -> list[PolicyResource]:
    """Resources of `types` that configure `bucket`: linked by the `bucket` property dependency (known even
    in preview, when the bucket's name is not) or, failing that, by the bucket's name."""
    name = get(bucket.props, "bucket")
    found = []
    for r in resources:
        if r.resource_type not in types:
            continue
        linked = any(d.urn == bucket.urn for d in r.property_dependencies.get("bucket", []))
        if linked or (isinstance(name, str) and get(r.props, "bucket") == name):
            found.append(r)
    return found


def _buckets(args: StackValidationArgs) -> Iterator[PolicyResource]:
    return (r for r in args.resources if r.resource_type in BUCKET_TYPES)


def _validate_public_access(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket in _buckets(args):
        blocks = _companions(args.resources, bucket, PUBLIC_ACCESS_BLOCK)
        if not blocks:
            report(f"bucket {bucket.name} has no BucketPublicAccessBlock.", bucket.urn)
            continue
        if not any(all(get(b.props, f) is True for f in PUBLIC_ACCESS_FLAGS) for b in blocks):
            off = sorted({f for b in blocks for f in PUBLIC_ACCESS_FLAGS if get(b.props, f) is not True})
            report(f"bucket {bucket.name}: public access block leaves {', '.join(off)} off.", bucket.urn)


def _sse_rules(value: Any) -> list[Any]:
    return [get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") for rule in as_list(value)]


def _validate_encryption(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket in _buckets(args):
        algorithms = _sse_rules(get(bucket.props, "serverSideEncryptionConfiguration", "rule"))
        for sse in _companions(args.resources, bucket, ENCRYPTION):
            algorithms += _sse_rules(get(sse.props, "rules"))
        if not any(a in SSE_ALGORITHMS for a in algorithms):
            report(f"bucket {bucket.name} has no server-side encryption configuration.", bucket.urn)


def _validate_versioning(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket in _buckets(args):
        if not bucket_is_data(bucket.props):
            continue
        enabled = get(bucket.props, "versioning", "enabled") is True
        for v in _companions(args.resources, bucket, VERSIONING):
            enabled = enabled or get(v.props, "versioningConfiguration", "status") == "Enabled"
        if not enabled:
            report(f"data bucket {bucket.name} is not versioned.", bucket.urn)


s3_public_access_blocked = StackValidationPolicy(
    name="s3-bucket-public-access-blocked",
    description="Every S3 bucket has a BucketPublicAccessBlock with all four settings true.",
    enforcement_level=MANDATORY,
    validate=_validate_public_access,
    remediation_steps="Add aws.s3.BucketPublicAccessBlock(bucket=bucket.id, block_public_acls=True, "
    "block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True); serve public content "
    "through CloudFront with origin access control instead.",
)

s3_encrypted = StackValidationPolicy(
    name="s3-bucket-encrypted",
    description="Every S3 bucket has a server-side encryption configuration (AES256 or aws:kms).",
    enforcement_level=MANDATORY,
    validate=_validate_encryption,
    remediation_steps="Add aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id, rules=[{"
    "'apply_server_side_encryption_by_default': {'sse_algorithm': 'aws:kms'}}]).",
)

s3_data_versioned = StackValidationPolicy(
    name="s3-data-bucket-versioned",
    description="Data buckets (all buckets not tagged goldentooth:stateful=false) have versioning enabled.",
    enforcement_level=MANDATORY,
    validate=_validate_versioning,
    remediation_steps="Add aws.s3.BucketVersioning(bucket=bucket.id, versioning_configuration={'status': "
    "'Enabled'}), or tag a bucket that holds nothing durable goldentooth:stateful=false.",
)


# --- KMS, CloudFront, ACM ----------------------------------------------------------------------------------


def _validate_kms(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "aws:kms/key:Key":
        return
    spec = get(args.props, "customerMasterKeySpec") or get(args.props, "keySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT":
        return  # AWS rotates only symmetric encryption keys
    if get(args.props, "enableKeyRotation") is not True:
        report(f"KMS key {args.name} does not enable automatic key rotation.", None)


kms_rotation = ResourceValidationPolicy(
    name="kms-key-rotation",
    description="Symmetric KMS keys rotate automatically.",
    enforcement_level=MANDATORY,
    validate=_validate_kms,
    remediation_steps="Set enable_key_rotation=True on aws.kms.Key (rotation keeps old key material, so "
    "Vault's auto-unseal keeps working).",
)

HTTPS_VIEWER_POLICIES = ("redirect-to-https", "https-only")
CLOUDFRONT_SCHEMA = schema(
    {
        "minimumProtocolVersions": {
            "type": "array",
            "items": {"type": "string"},
            "description": "viewer TLS policies accepted as 'TLSv1.2_2021 or newer'",
            "default": ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"],
        }
    }
)


def _validate_cloudfront(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "aws:cloudfront/distribution:Distribution":
        return
    behaviours = [("default cache behaviour", get(args.props, "defaultCacheBehavior"))]
    for i, ordered in enumerate(as_list(get(args.props, "orderedCacheBehaviors"))):
        behaviours.append((f"cache behaviour {get(ordered, 'pathPattern') or i}", ordered))
    for label, behaviour in behaviours:
        policy = get(behaviour, "viewerProtocolPolicy")
        if policy not in HTTPS_VIEWER_POLICIES:
            report(f"{args.name}: {label} allows plain HTTP (viewerProtocolPolicy={policy!r}).", None)
    cert = get(args.props, "viewerCertificate")
    allowed = list(setting(args.get_config(), CLOUDFRONT_SCHEMA, "minimumProtocolVersions"))
    if get(cert, "cloudfrontDefaultCertificate") is True:
        report(f"{args.name} uses the default *.cloudfront.net certificate, which accepts TLSv1.", None)
    elif get(cert, "minimumProtocolVersion") not in allowed:
        version = get(cert, "minimumProtocolVersion")
        report(f"{args.name}: minimumProtocolVersion is {version!r}, not one of {', '.join(allowed)}.", None)


cloudfront_https = ResourceValidationPolicy(
    name="cloudfront-https-only",
    description="CloudFront viewers use HTTPS only (redirect-to-https or https-only) with TLSv1.2_2021 or newer.",
    enforcement_level=MANDATORY,
    validate=_validate_cloudfront,
    config_schema=CLOUDFRONT_SCHEMA,
    remediation_steps="Set viewer_protocol_policy='redirect-to-https' on every cache behaviour and "
    "viewer_certificate={'acm_certificate_arn': ..., 'ssl_support_method': 'sni-only', "
    "'minimum_protocol_version': 'TLSv1.2_2021'}.",
)


def _validate_acm(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != "aws:acm/certificate:Certificate":
        return
    if get(args.props, "certificateBody") is not None or get(args.props, "certificateAuthorityArn") is not None:
        return  # imported or private-CA certificates are not validated by ACM at all
    method = get(args.props, "validationMethod")
    if method != "DNS":
        report(f"certificate {args.name} is validated by {method or 'nothing'}, not DNS.", None)


acm_dns_validation = ResourceValidationPolicy(
    name="acm-dns-validation",
    description="ACM certificates are validated by DNS (renewals then need no one to click an email).",
    enforcement_level=MANDATORY,
    validate=_validate_acm,
    remediation_steps="Set validation_method='DNS' and create the Route53 validation records plus an "
    "aws.acm.CertificateValidation that CloudFront depends on.",
)


# --- IAM ---------------------------------------------------------------------------------------------------

IAM_DOCUMENTS = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}
IAM_SCHEMA = schema(
    {
        "resourceWildcardActions": {
            "type": "array",
            "items": {"type": "string"},
            "description": "actions AWS grants only on Resource '*' (no resource-level permissions)",
            "default": [
                "route53:ListHostedZones",
                "route53:ListHostedZonesByName",
                "sts:GetCallerIdentity",
                "s3:ListAllMyBuckets",
                "acm:ListCertificates",
                "kms:ListAliases",
                "kms:ListKeys",
                "cloudfront:ListDistributions",
            ],
        }
    }
)


def _documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    if args.resource_type in IAM_DOCUMENTS:
        yield args.name, get(args.props, IAM_DOCUMENTS[args.resource_type])
    elif args.resource_type == "aws:iam/role:Role":
        for inline in as_list(get(args.props, "inlinePolicies")):
            yield f"{args.name} inline policy {get(inline, 'name') or ''}".strip(), get(inline, "policy")


def _parse(document: Any) -> Mapping[str, Any] | None:
    if isinstance(document, str):
        try:
            parsed = json.loads(document)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return document if is_map(document) else None


def wildcard_resource(resource: str) -> bool:
    """`*`, or an ARN whose resource part covers every resource of its kind (`hostedzone/*`, `key/*`,
    `arn:aws:s3:::*`). Objects of one bucket (`arn:aws:s3:::bucket/*`) are scoped, not a wildcard."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return "*" in resource
    service, rest = parts[2], parts[5]
    if service == "s3":
        return rest.split("/", 1)[0] in ("*", "")
    return rest == "*" or (rest.endswith("/*") and "/" not in rest[:-2])


def statement_problems(statement: Any, resource_actions: list[str]) -> Iterator[str]:
    if get(statement, "Effect") != "Allow":
        return
    sid = get(statement, "Sid")
    where = f"statement {sid}" if sid else "a statement"
    if get(statement, "NotAction") is not None:
        yield f"{where} uses NotAction (allows everything else)"
    if get(statement, "NotResource") is not None:
        yield f"{where} uses NotResource (allows every other resource)"
    actions = [a for a in as_list(get(statement, "Action")) if isinstance(a, str)]
    wild_actions = [a for a in actions if "*" in a or "?" in a]
    if wild_actions:
        yield f"{where} allows wildcard actions {', '.join(wild_actions)}"
    resources = [r for r in as_list(get(statement, "Resource")) if isinstance(r, str)]
    wild = [r for r in resources if wildcard_resource(r)]
    if wild and not (actions and all(a in resource_actions for a in actions)):
        yield f"{where} allows {', '.join(actions) or 'its actions'} on wildcard resources {', '.join(wild)}"


def _validate_iam(args: ResourceValidationArgs, report: ReportViolation) -> None:
    resource_actions = list(setting(args.get_config(), IAM_SCHEMA, "resourceWildcardActions"))
    for label, raw in _documents(args):
        document = _parse(raw)
        if document is None:
            report(f"{label}: the policy document is not a JSON object.", None)
            continue
        for statement in as_list(get(document, "Statement")):
            for problem in statement_problems(statement, resource_actions):
                report(f"{label}: {problem}.", None)


iam_no_wildcards = ResourceValidationPolicy(
    name="iam-no-wildcards",
    description="IAM policies allow named actions on named resources: no wildcard actions, no Resource '*'.",
    enforcement_level=MANDATORY,
    validate=_validate_iam,
    config_schema=IAM_SCHEMA,
    remediation_steps="List the exact actions and the ARNs they apply to (e.g. the hosted zone ARN for "
    "route53:ChangeResourceRecordSets). Actions that AWS only grants on '*' go in a statement of their own.",
)

POLICIES = [
    s3_public_access_blocked,
    s3_encrypted,
    s3_data_versioned,
    kms_rotation,
    cloudfront_https,
    acm_dns_validation,
    iam_no_wildcards,
]
