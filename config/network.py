"""Address plan of the cluster: node LAN, Kubernetes service and pod ranges, the MetalLB pool."""

from ipaddress import IPv4Address, IPv4Network

from pydantic import field_validator

from config.base import ConfigModel


def _canonical_network(value: object) -> IPv4Network:
    """Parse a CIDR and refuse host bits (10.4.0.5/20 is almost always a typo for 10.4.0.0/20)."""
    if isinstance(value, IPv4Network):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a CIDR string such as 10.4.0.0/20")
    if "/" not in value:
        raise ValueError(f"{value!r} has no prefix length: a range is written address/length, such as 10.4.0.0/20")
    try:
        loose = IPv4Network(value, strict=False)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid IPv4 CIDR") from exc
    if str(loose) != value.strip():
        raise ValueError(f"{value!r} is not canonical: write it as {loose}")
    return loose


class NetworkSpec(ConfigModel):
    """`goldentooth:network`."""

    nodes: IPv4Network
    gateway: IPv4Address
    services: IPv4Network
    pods: IPv4Network
    metallb: IPv4Network
    dns_servers: tuple[IPv4Address, ...] = ()
    # The on-link subnet the nodes actually share; MetalLB needs an explicit route when the pool lies outside it.
    on_link: IPv4Network | None = None

    @field_validator("nodes", "services", "pods", "metallb", "on_link", mode="before")
    @classmethod
    def _cidr(cls, value: object) -> IPv4Network | None:
        return None if value is None else _canonical_network(value)
