"""`AwsCloud`: every AWS resource of the cluster, each on one of two explicit providers.

Handles for other layers: `vault_seal` (the Vault layer's seal credentials), `external_dns_credentials`
(the Kubernetes layer's ExternalDNS key, a secret credentials file), `zone_id` and `name_servers`."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from aws.bare_domain import BareDomain, BareDomainArgs
from aws.certificate import CertificateArgs, ValidatedCertificate
from aws.external_dns_identity import ExternalDnsIdentity, ExternalDnsIdentityArgs
from aws.health_alarms import HealthAlarms, HealthAlarmsArgs
from aws.home_proxy import HomeProxy, HomeProxyArgs
from aws.private_bucket import PrivateBucket, PrivateBucketArgs
from aws.providers import make_providers
from aws.records import DnsRecord, fqdn
from aws.vault_seal import VaultSeal, VaultSealArgs, VaultSealCredentials
from aws.zone import Zone, ZoneArgs
from config.aws import AwsSpec


@dataclass(frozen=True)
class AwsCloudArgs:
    aws: AwsSpec
    cluster: str  # tags every resource through the providers' default tags
    zone: str  # domains.base: the name of the zone `aws.zoneId` identifies
    records: tuple[DnsRecord, ...]  # plain record sets: the cluster's own and those other layers asked for


def certificate_domains(zone: str, home_proxy: str) -> tuple[str, ...]:
    """The apex, its wildcard (which covers home-proxy.<zone>) and the proxy's own wildcard."""
    proxy = fqdn(home_proxy, zone)
    return (zone, f"*.{zone}", f"*.{proxy}")


class AwsCloud(pulumi.ComponentResource):
    vault_seal: VaultSealCredentials
    external_dns_credentials: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    name_servers: pulumi.Output[Sequence[str]]

    def __init__(self, name: str, args: AwsCloudArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:aws:Cloud", name, None, opts)
        cfg, zone_name = args.aws, args.zone
        child = pulumi.ResourceOptions(parent=self)
        providers = make_providers(cfg.region, args.cluster, self)
        self.providers = providers
        zone = Zone("zone", ZoneArgs(cfg.zone_id, zone_name, args.records, providers), child)
        self.zone_id, self.name_servers = zone.zone_id, zone.name_servers

        certificate = ValidatedCertificate(
            "edge",
            CertificateArgs(certificate_domains(zone_name, cfg.home_proxy.name), zone.zone_id, cfg.ttl.default, providers),
            child,
        )
        proxy = fqdn(cfg.home_proxy.name, zone_name)
        self.home_proxy = HomeProxy(
            "home-proxy",
            HomeProxyArgs(
                aliases=(proxy, f"*.{proxy}"),
                origin=cfg.home_proxy.origin,
                origin_https_port=cfg.home_proxy.origin_https_port,
                certificate_arn=certificate.certificate_arn,
                countries=cfg.geo_allow,
                zone_id=zone.zone_id,
                providers=providers,
            ),
            child,
        )
        self.bare_domain = BareDomain(
            "bare-domain",
            BareDomainArgs(
                apex=zone_name,
                redirect_to=f"https://{fqdn(cfg.blog.name, zone_name)}",
                certificate_arn=certificate.certificate_arn,
                countries=cfg.geo_allow,
                zone_id=zone.zone_id,
                providers=providers,
            ),
            child,
        )

        seal = VaultSeal(
            "vault-seal",
            VaultSealArgs(
                cfg.vault_seal.alias, cfg.vault_seal.iam_user, cfg.vault_seal.deletion_window_days, cfg.region, providers
            ),
            child,
        )
        self.vault_seal = seal.credentials
        self.external_dns_credentials = ExternalDnsIdentity(
            "external-dns", ExternalDnsIdentityArgs(cfg.external_dns_user, zone.zone_id, providers), child
        ).credentials_file

        self.buckets = {
            b.name: PrivateBucket(
                b.name,
                PrivateBucketArgs(
                    bucket=b.name,
                    providers=providers,
                    noncurrent_days=b.noncurrent_days,
                    abort_multipart_days=b.abort_multipart_days,
                ),
                child,
            )
            for b in cfg.buckets
        }
        self.alarms = (
            HealthAlarms("external-monitoring", HealthAlarmsArgs(cfg.health_checks, cfg.alert_email, providers), child)
            if cfg.health_checks
            else None
        )
        self.register_outputs({"zoneId": self.zone_id, "vaultSealAlias": self.vault_seal.alias})
