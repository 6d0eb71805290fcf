"""Plain DNS records: the records the cluster itself needs, merged with those the layers contribute."""

from components.contributions import DnsRecord
from config.spec import ClusterSpec

__all__ = ["DnsRecord", "cluster_records", "fqdn", "in_zone", "merge_records"]


def fqdn(label: str, zone: str) -> str:
    return zone if label in ("", "@") else f"{label}.{zone}"


def in_zone(name: str, zone: str) -> bool:
    return name == zone or name.endswith(f".{zone}")


def cluster_records(spec: ClusterSpec) -> tuple[DnsRecord, ...]:
    """Every node, the blog and the static records of `aws.records`, sorted by name. Records a layer needs (the
    Kubernetes API endpoint, for one) arrive as contributions and are merged in by `merge_records`.

    Private addresses in a public zone are deliberate: LAN clients resolve through public DNS."""
    aws, zone = spec.aws, spec.domains.base
    if not in_zone(spec.domains.nodes, zone):  # config/cloud_rules.py rejects this before anything is registered
        raise ValueError(f"domains.nodes {spec.domains.nodes} is outside the zone {zone}")
    records = [
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
