"""IAM and resource policy documents, built as data so tests can read exactly what is granted."""

import json
from collections.abc import Sequence
from typing import Any

Statement = dict[str, Any]

# What HashiCorp documents for the awskms seal, and nothing else.
VAULT_SEAL_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt")


def document(statements: Sequence[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def vault_seal(key_arn: str) -> str:
    return document([{"Sid": "VaultSeal", "Effect": "Allow", "Action": list(VAULT_SEAL_ACTIONS), "Resource": key_arn}])


# ExternalDNS: record changes and reads on the one zone. ListHostedZones has no resource-level permission in
# IAM, so it alone takes "*" (it reveals zone names, not records).
EXTERNAL_DNS_ZONE_ACTIONS = (
    "route53:ChangeResourceRecordSets",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResource",
    "route53:ListTagsForResources",
)
EXTERNAL_DNS_ACCOUNT_ACTIONS = ("route53:ListHostedZones",)


def zone_arn(zone_id: str) -> str:
    return f"arn:aws:route53:::hostedzone/{zone_id}"


def external_dns(zone_id: str) -> str:
    return document(
        [
            {"Sid": "RecordsInTheZone", "Effect": "Allow", "Action": list(EXTERNAL_DNS_ZONE_ACTIONS), "Resource": zone_arn(zone_id)},
            {"Sid": "FindTheZone", "Effect": "Allow", "Action": list(EXTERNAL_DNS_ACCOUNT_ACTIONS), "Resource": "*"},
        ]
    )


def deny_insecure_transport(bucket_arn: str) -> Statement:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def cloudfront_read(bucket_arn: str, distribution_arn: str) -> Statement:
    """Origin access control: only this distribution's signed requests may read objects."""
    return {
        "Sid": "CloudFrontOriginAccessControl",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"{bucket_arn}/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
    }
