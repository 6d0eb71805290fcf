"""`PrivateBucket`: an S3 bucket nothing can make public: all four public-access blocks on, ACLs disabled,
SSE-S3 (AES256) encryption, TLS-only policy, an explicit whole-bucket lifecycle, and optional versioning.

AES256 rather than SSE-KMS: access is decided by IAM and the bucket policy either way, and SSE-S3 adds no
per-request KMS cost and no key policy that CloudFront's origin access would also need to be granted."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws.bucket_policy import bucket_policy
from aws.providers import AwsProviders

SSE_ALGORITHM = "AES256"


@dataclass(frozen=True)
class PrivateBucketArgs:
    bucket: str | None  # None: Pulumi names it (the name matters to nobody)
    providers: AwsProviders
    versioned: bool = True
    noncurrent_days: int = 30
    abort_multipart_days: int = 7
    stateful: bool = True  # protected: `pulumi destroy` or a removed config entry cannot delete the data
    # The caller attaches the policy with `bucket_policy` because a grant names a resource created after the
    # bucket (the CloudFront distribution that reads it).
    policy_by_caller: bool = False


class PrivateBucket(pulumi.ComponentResource):
    def __init__(self, name: str, args: PrivateBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:aws:PrivateBucket", name, None, opts)
        p = args.providers
        self.bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket,
            force_destroy=False,
            # Read by the policy pack's stateful-resources rule: only an empty-by-design bucket may go unprotected.
            tags={"goldentooth:stateful": "true" if args.stateful else "false"},
            opts=p.regional_opts(self, pulumi.ResourceOptions(protect=args.stateful, retain_on_delete=args.stateful)),
        )
        bucket_id = self.bucket.id
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            name,
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=p.regional_opts(self),
        )
        self.ownership = aws.s3.BucketOwnershipControls(
            name,
            bucket=bucket_id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=p.regional_opts(self),
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=bucket_id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm=SSE_ALGORITHM
                    )
                )
            ],
            opts=p.regional_opts(self),
        )
        self.versioning = (
            aws.s3.BucketVersioning(
                name,
                bucket=bucket_id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
                opts=p.regional_opts(self),
            )
            if args.versioned
            else None
        )
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=bucket_id,
            rules=[self._lifecycle_rule(args)],
            # Lifecycle rules that touch versions must see versioning configured first.
            opts=p.regional_opts(self, pulumi.ResourceOptions(depends_on=[r for r in [self.versioning] if r])),
        )
        self.policy = (
            None
            if args.policy_by_caller
            else bucket_policy(name, self.bucket, [], [self.public_access_block], p, self)
        )
        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.bucket.arn})

    def _lifecycle_rule(self, args: PrivateBucketArgs) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
        return aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="expire-noncurrent-and-abort-uploads",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),  # explicit: the whole bucket
            abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=args.abort_multipart_days
            ),
            noncurrent_version_expiration=(
                aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(noncurrent_days=args.noncurrent_days)
                if args.versioned
                else None
            ),
        )
