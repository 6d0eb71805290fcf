"""ExternalDNS's IAM identity: record changes on the one zone only, and its key handed to the Kubernetes
layer as a secret credentials file."""

import json

from aws.external_dns_identity import credentials_file
from offline.evaluate import Evaluation, depends_directly
from offline.plan import plan_document
from tests.aws_support import policy


def test_policy_scopes_record_changes_to_the_adopted_zone(real_evaluation: Evaluation) -> None:
    statements = {s["Sid"]: s for s in policy(real_evaluation.one("aws:iam/userPolicy:UserPolicy", "external-dns"))["Statement"]}
    zone = statements["RecordsInTheZone"]
    assert zone["Resource"] == "arn:aws:route53:::hostedzone/Z0736727S7ZH91VKK44A"
    assert "route53:ChangeResourceRecordSets" in zone["Action"]
    # ListHostedZones has no resource-level permission in IAM: the only action on "*", and it writes nothing.
    assert statements["FindTheZone"] == {"Sid": "FindTheZone", "Effect": "Allow", "Action": ["route53:ListHostedZones"], "Resource": "*"}
    assert set(statements) == {"RecordsInTheZone", "FindTheZone"}


def test_access_key_follows_the_policy_and_reaches_kubernetes_only_as_a_secret(real_evaluation: Evaluation) -> None:
    user_policy = real_evaluation.one("aws:iam/userPolicy:UserPolicy", "external-dns")
    access_key = real_evaluation.one("aws:iam/accessKey:AccessKey", "external-dns")
    assert depends_directly(access_key, user_policy)
    secret = real_evaluation.one("kubernetes:core/v1:Secret", "external-dns-aws-credentials")
    assert access_key.urn in secret.dependencies
    assert secret.inputs["stringData"] == "[secret]"
    assert "secret access key" not in json.dumps(plan_document(real_evaluation))


def test_credentials_file_is_the_aws_shared_credentials_format() -> None:
    assert credentials_file("AKIAEXAMPLE", "s3cr3t").splitlines() == [
        "[default]", "aws_access_key_id = AKIAEXAMPLE", "aws_secret_access_key = s3cr3t",
    ]
