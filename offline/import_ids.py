"""Import ids per resource type: derived from a resource's recorded inputs and the config where the id is a name
the config fixes, otherwise asked for with the command that finds it.

The formats are the providers' own import formats (each type's "Import" section in the Pulumi registry):
a Route53 record is `<zone id>_<name>_<type>`, a Helm release `<namespace>/<name>`, an alarm, KMS alias, IAM user
or fixed-name bucket its name. An input that comes from another resource's output (an ACM validation name, an
auto-generated name) is not known before the resource exists, so its id is asked for."""

from collections.abc import Callable
from dataclasses import dataclass

from config.spec import ClusterSpec
from offline.recorder import RecordedResource

# A logical resource that no provider can read back, so `pulumi import` refuses it.
NOT_IMPORTABLE = {
    "aws:acm/certificateValidation:CertificateValidation": "a certificate validation is a wait, not a cloud object",
    "command:remote:Command": "a remote command is a step the program runs, not an object to read back",
    "command:local:Command": "a local command is a step the program runs, not an object to read back",
}


def _fixed(resource: RecordedResource, key: str) -> str | None:
    """An input's value when config fixes it: a plain string that no other resource's output feeds."""
    value = resource.inputs.get(key)
    if not isinstance(value, str) or not value or resource.property_dependencies.get(key):
        return None
    if value.startswith("[") or "placeholder" in value:  # the mock's stand-ins for provider outputs
        return None
    return value


def _record(resource: RecordedResource, spec: ClusterSpec) -> str | None:
    name, type_ = _fixed(resource, "name"), _fixed(resource, "type")
    if name is None or type_ is None:
        return None
    # The zone input is the zone read's output; that read takes `aws.zoneId`, so the config is the source.
    return f"{spec.aws.zone_id}_{name.rstrip('.')}_{type_}"


def _helm_release(resource: RecordedResource, spec: ClusterSpec) -> str | None:
    name, namespace = _fixed(resource, "name"), _fixed(resource, "namespace")
    return f"{namespace}/{name}" if name and namespace else None


def _input(key: str) -> Callable[[RecordedResource, ClusterSpec], str | None]:
    return lambda resource, spec: _fixed(resource, key)


@dataclass(frozen=True)
class IdRule:
    derive: Callable[[RecordedResource, ClusterSpec], str | None]
    lookup: str  # how to find the id by hand; {fields} are filled from the resource's inputs and the config


def _never(resource: RecordedResource, spec: ClusterSpec) -> str | None:
    return None


RULES: dict[str, IdRule] = {
    "aws:route53/record:Record": IdRule(
        _record, "`aws route53 list-resource-record-sets --hosted-zone-id {zone_id}`, then <zone id>_<name>_<type>"
    ),
    "aws:route53/healthCheck:HealthCheck": IdRule(
        _never,
        "`aws route53 list-health-checks --query \"HealthChecks[?HealthCheckConfig.FullyQualifiedDomainName=="
        "'{fqdn}'].Id\"`",
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": IdRule(_input("name"), "the alarm's name"),
    "aws:sns/topic:Topic": IdRule(_never, "the topic ARN: `aws sns list-topics` (…:{name})"),
    "aws:sns/topicSubscription:TopicSubscription": IdRule(
        _never, "the subscription ARN: `aws sns list-subscriptions` (a pending one has none: leave it out)"
    ),
    "aws:cloudfront/distribution:Distribution": IdRule(
        _never, "`aws cloudfront list-distributions --query \"DistributionList.Items[].[Id,Aliases.Items]\"`"
    ),
    "aws:cloudfront/function:Function": IdRule(_input("name"), "the function's name: `aws cloudfront list-functions`"),
    "aws:cloudfront/originAccessControl:OriginAccessControl": IdRule(
        _never, "`aws cloudfront list-origin-access-controls`"
    ),
    "aws:kms/key:Key": IdRule(_never, "`aws kms describe-key --key-id alias/{vault_seal_alias} --query KeyMetadata.KeyId`"),
    "aws:kms/alias:Alias": IdRule(_input("name"), "the alias name"),
    "aws:acm/certificate:Certificate": IdRule(_never, "the certificate ARN: `aws acm list-certificates --region us-east-1`"),
    "aws:s3/bucket:Bucket": IdRule(_input("bucket"), "the bucket's name"),
    "aws:iam/user:User": IdRule(_input("name"), "the user's name"),
    "kubernetes:helm.sh/v3:Release": IdRule(_helm_release, "<namespace>/<release>: `helm list -A`"),
}
_GENERIC = IdRule(_never, "the id format in the Import section of the type's Pulumi registry page")


def rule_for(type_: str) -> IdRule:
    return RULES.get(type_, _GENERIC)


def lookup_hint(resource: RecordedResource, spec: ClusterSpec) -> str:
    fields = {k: v for k, v in resource.inputs.items() if isinstance(v, str)}
    fields |= {"zone_id": spec.aws.zone_id, "vault_seal_alias": spec.aws.vault_seal.alias}
    fields.setdefault("fqdn", "<fqdn>")
    fields.setdefault("name", resource.name)
    try:
        return rule_for(resource.type).lookup.format(**fields)
    except (KeyError, IndexError, ValueError):
        return rule_for(resource.type).lookup
