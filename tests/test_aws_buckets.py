"""S3: every bucket is private (four public-access blocks, no ACLs, TLS-only), encrypted (SSE-S3/AES256) and
has an explicit whole-bucket lifecycle; the data buckets are versioned, protected and retained."""

from collections.abc import Callable
from typing import Any

from offline.evaluate import Evaluation, depends_directly
from tests.aws_support import policy

Evaluate = Callable[[Callable[[dict[str, Any]], None]], Evaluation]
DATA_BUCKETS = ("goldentooth-backups", "goldentooth-pulumi-state")


def _side(ev: Evaluation, kind: str, name: str) -> dict[str, Any]:
    return ev.one(f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}", name).inputs


def test_every_bucket_is_a_private_bucket_component(real_evaluation: Evaluation) -> None:
    buckets = real_evaluation.of_type("aws:s3/bucket:Bucket")
    assert sorted(b.name for b in buckets) == ["bare-domain-origin", *DATA_BUCKETS]
    assert all(real_evaluation.within(b, "goldentooth:aws:PrivateBucket") for b in buckets)


def test_every_bucket_blocks_all_public_access_and_disables_acls(real_evaluation: Evaluation) -> None:
    for bucket in real_evaluation.of_type("aws:s3/bucket:Bucket"):
        block = _side(real_evaluation, "BucketPublicAccessBlock", bucket.name)
        assert {k: block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")} == {
            "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True,
        }
        assert _side(real_evaluation, "BucketOwnershipControls", bucket.name)["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
        assert bucket.inputs.get("forceDestroy") is False
        assert "acl" not in bucket.inputs and "website" not in bucket.inputs


def test_every_bucket_is_encrypted_with_sse_s3(real_evaluation: Evaluation) -> None:
    for bucket in real_evaluation.of_type("aws:s3/bucket:Bucket"):
        [rule] = _side(real_evaluation, "BucketServerSideEncryptionConfiguration", bucket.name)["rules"]
        assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_every_bucket_policy_denies_plain_http_and_is_applied_after_the_access_block(real_evaluation: Evaluation) -> None:
    for bucket in real_evaluation.of_type("aws:s3/bucket:Bucket"):
        bucket_policy = real_evaluation.one("aws:s3/bucketPolicy:BucketPolicy", bucket.name)
        deny = next(s for s in policy(bucket_policy)["Statement"] if s["Sid"] == "DenyInsecureTransport")
        assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        name = bucket.inputs.get("bucket") or f"{bucket.name}-placeholder"  # the origin bucket is auto-named
        arn = f"arn:aws:s3:::{name}"
        assert deny["Resource"] == [arn, f"{arn}/*"]
        block = real_evaluation.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket.name)
        assert depends_directly(bucket_policy, block)
        assert all(s["Effect"] == "Deny" or s["Principal"] != "*" for s in policy(bucket_policy)["Statement"])


def test_data_buckets_are_versioned_protected_retained_and_expire_old_versions(real_evaluation: Evaluation) -> None:
    configured = {b.name: b for b in real_evaluation.spec.aws.buckets}
    for name in DATA_BUCKETS:
        bucket = real_evaluation.one("aws:s3/bucket:Bucket", name)
        assert bucket.inputs["bucket"] == name
        assert bucket.protect and bucket.retain_on_delete
        assert bucket.inputs["tags"] == {"goldentooth:stateful": "true"}
        assert _side(real_evaluation, "BucketVersioning", name)["versioningConfiguration"] == {"status": "Enabled"}
        lifecycle = real_evaluation.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", name)
        [rule] = lifecycle.inputs["rules"]
        assert rule["status"] == "Enabled"
        assert rule["filter"] == {}  # explicit: the whole bucket
        assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": configured[name].noncurrent_days}
        assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": configured[name].abort_multipart_days}
        assert depends_directly(lifecycle, real_evaluation.one("aws:s3/bucketVersioning:BucketVersioning", name))


def test_the_redirect_origin_bucket_holds_nothing_so_it_is_neither_versioned_nor_protected(real_evaluation: Evaluation) -> None:
    bucket = real_evaluation.one("aws:s3/bucket:Bucket", "bare-domain-origin")
    assert not bucket.protect
    assert bucket.inputs["tags"] == {"goldentooth:stateful": "false"}  # the policy pack's opt-out, stated
    assert [v for v in real_evaluation.of_type("aws:s3/bucketVersioning:BucketVersioning") if v.name == bucket.name] == []
    [rule] = _side(real_evaluation, "BucketLifecycleConfiguration", bucket.name)["rules"]
    assert rule["filter"] == {} and "noncurrentVersionExpiration" not in rule


def test_lifecycle_days_come_from_config(evaluate_edited: Evaluate) -> None:
    def edit(plain: dict[str, Any]) -> None:
        plain["aws"]["buckets"] = [{"name": "goldentooth-backups", "purpose": "backup", "noncurrentDays": 14, "abortMultipartDays": 2}]

    ev = evaluate_edited(edit)
    [rule] = ev.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "goldentooth-backups").inputs["rules"]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 14}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 2}
    assert sorted(b.name for b in ev.of_type("aws:s3/bucket:Bucket")) == ["bare-domain-origin", "goldentooth-backups"]
