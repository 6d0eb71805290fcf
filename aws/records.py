"""Plain DNS records: what a layer asks the zone for, and the records the cluster itself needs."""

from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import Literal

from config.spec import ClusterSpec

RecordType = Literal["A", "AAAA", "CNAME", "TXT"]


@dataclass(frozen=True)
class DnsRecord:
    """One record set in the adopted zone. `name` is a fully qualified name inside the zone."""

    name: str
    type: RecordType
    values: tuple[str, ...]
    ttl: int

    @property
    def key(self) -> str:
        """Stable resource name: one record set per (name, type), as Route53 itself keys them."""
        return f"{self.name}-{self.type}"


def fqdn(label: str, zone: str) -> str:
    return zone if label in ("", "@") else f"{label}.{zone}"


def in_zone(name: str, zone: str) -> bool:
    return name == zone or name.endswith(f".{zone}")


def cluster_records(spec: ClusterSpec, api_endpoint: IPv4Address) -> tuple[DnsRecord, ...]:
    """The API endpoint, every node, the blog and the static records of `aws.records`, sorted by name.

    Private addresses in a public zone are deliberate: LAN clients resolve through public DNS."""
    aws, zone = spec.aws, spec.domains.base
    if not in_zone(spec.domains.nodes, zone):  # config/cloud_rules.py rejects this before anything is registered
        raise ValueError(f"domains.nodes {spec.domains.nodes} is outside the zone {zone}")
    records = [
        DnsRecord(fqdn("cp.k8s", zone), "A", (str(api_endpoint),), aws.ttl.default),
        DnsRecord(fqdn(aws.blog.name, zone), "CNAME", (aws.blog.target,), aws.ttl.default),
        *(DnsRecord(spec.domains.node_fqdn(n.name), "A", (str(n.ip),), aws.ttl.nodes) for n in spec.nodes),
        *(DnsRecord(fqdn(r.name, zone), r.type, r.values, r.ttl or aws.ttl.default) for r in aws.records),
    ]
    return tuple(sorted(records, key=lambda r: (r.name, r.type)))


def merge_records(own: tuple[DnsRecord, ...], requested: tuple[DnsRecord, ...], zone: str) -> tuple[DnsRecord, ...]:
    """The cluster's records plus those other layers ask for; two claims on one record set are a bug."""
    seen: dict[str, DnsRecord] = {}
    for record in (*own, *requested):
        if not in_zone(record.name, zone):
            raise ValueError(f"record {record.name} is outside the zone {zone}")
        if record.key in seen and seen[record.key] != record:
            raise ValueError(f"record set {record.key} is requested twice with different values")
        seen[record.key] = record
    return tuple(sorted(seen.values(), key=lambda r: (r.name, r.type)))
