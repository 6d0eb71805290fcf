"""`Zone`: the existing Route53 zone, read by id (never created or deleted), and the record sets put in it."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from aws.providers import AwsProviders
from aws.records import DnsRecord


@dataclass(frozen=True)
class ZoneArgs:
    zone_id: str
    name: str  # domains.base
    records: tuple[DnsRecord, ...]
    providers: AwsProviders


class Zone(pulumi.ComponentResource):
    """`Zone.get` is a read: Pulumi keeps no ownership, so no change to this program can create, replace or
    delete the zone (a new zone would change the NS delegation). Protect does not apply to reads; the zone
    is safer than protected, it is out of Pulumi's reach. Records depend on the read, so a wrong id fails
    the preview before any record is written."""

    zone_id: pulumi.Output[str]
    name_servers: pulumi.Output[Sequence[str]]

    def __init__(self, name: str, args: ZoneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:aws:Zone", name, None, opts)
        adopted = aws.route53.Zone.get(f"zone-{args.name}", args.zone_id, opts=args.providers.edge_opts(self))
        self.zone_id = adopted.id
        self.name_servers = adopted.name_servers
        self.records = {
            r.key: aws.route53.Record(
                r.key,
                zone_id=self.zone_id,
                name=r.name,
                type=r.type,
                ttl=r.ttl,
                records=list(r.values),
                opts=args.providers.edge_opts(self),
            )
            for r in args.records
        }
        self.register_outputs({"zoneId": self.zone_id, "records": sorted(self.records)})
