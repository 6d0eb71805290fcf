"""A and AAAA alias records that point names of the zone at a CloudFront distribution."""

import pulumi
import pulumi_aws as aws

from aws.providers import AwsProviders


def alias_records(
    names: tuple[str, ...],
    distribution: aws.cloudfront.Distribution,
    zone_id: pulumi.Input[str],
    providers: AwsProviders,
    parent: pulumi.Resource,
) -> list[aws.route53.Record]:
    target = aws.route53.RecordAliasArgs(
        name=distribution.domain_name,
        zone_id=distribution.hosted_zone_id,
        evaluate_target_health=False,  # CloudFront targets have no health to evaluate
    )
    return [
        aws.route53.Record(
            f"{name}-{type_}",
            zone_id=zone_id,
            name=name,
            type=type_,
            aliases=[target],
            opts=providers.edge_opts(parent),
        )
        for name in names
        for type_ in ("A", "AAAA")
    ]
