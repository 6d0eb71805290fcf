"""`goldentooth:aws`: the adopted Route53 zone, record TTLs, the edge (ACM + CloudFront), the Vault seal key,
data buckets and external health checks. Record names are labels relative to `domains.base`, the zone's name."""

import re
from ipaddress import IPv4Address, IPv6Address
from typing import Literal

from pydantic import Field, field_validator, model_validator

from config.base import ConfigModel
from config.meaning import check_aws_region, check_countries

_LABELS = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
_FQDN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# No dots: a dotted bucket name breaks virtual-hosted TLS (the certificate covers one label only).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


def _fqdn(value: str) -> str:
    if not _FQDN.match(value):
        raise ValueError(f"{value!r} is not a lower-case DNS name")
    return value


def _label(value: str) -> str:
    if not _LABELS.match(value):
        raise ValueError(f"{value!r} is not a record name relative to the zone (e.g. clog, cp.k8s, *.services)")
    return value


def _unique(values: list[str], what: str) -> None:
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        raise ValueError(f"{what} {', '.join(dupes)} appear more than once")


class TtlSpec(ConfigModel):
    """Seconds. Short by default: the records move when the cluster is rebuilt."""

    default: int = Field(default=60, ge=1, le=86_400)
    nodes: int = Field(default=300, ge=1, le=86_400)


class CnameSpec(ConfigModel):
    name: str  # relative to the zone
    target: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _label(value)

    @field_validator("target")
    @classmethod
    def _target(cls, value: str) -> str:
        return _fqdn(value)


class StaticRecordSpec(ConfigModel):
    """A record no layer owns, kept here so the zone is described in one place."""

    name: str
    type: Literal["A", "AAAA", "CNAME", "TXT"]
    values: tuple[str, ...] = Field(min_length=1)
    ttl: int | None = Field(default=None, ge=1, le=86_400)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _label(value)

    @model_validator(mode="after")
    def _values_fit_type(self) -> "StaticRecordSpec":
        for value in self.values:
            try:
                if self.type == "A":
                    IPv4Address(value)
                elif self.type == "AAAA":
                    IPv6Address(value)
            except ValueError:
                raise ValueError(f"{value!r} is not an address for an {self.type} record") from None
            if self.type == "CNAME":
                _fqdn(value)
        if self.type == "CNAME" and len(self.values) != 1:
            raise ValueError("a CNAME has exactly one target")
        return self


class HomeProxySpec(ConfigModel):
    """The `home-proxy` CloudFront distribution in front of the home origin (the router's public name)."""

    name: str = "home-proxy"  # serves <name>.<zone> and *.<name>.<zone>
    origin: str  # kept current by dynamic DNS outside this program
    origin_https_port: int = Field(default=443, ge=1, le=65535)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if value.startswith("*."):
            raise ValueError(f"{value!r}: name the proxy without '*.'; its wildcard alias is added for you")
        return _label(value)

    @field_validator("origin")
    @classmethod
    def _origin(cls, value: str) -> str:
        return _fqdn(value)


class VaultSealSpec(ConfigModel):
    alias: str = Field(default="goldentooth/vault-seal", pattern=r"^[A-Za-z0-9/_-]+$")
    iam_user: str = Field(default="goldentooth-vault-seal", pattern=r"^[A-Za-z0-9+=,.@_-]{1,64}$")
    deletion_window_days: int = Field(default=30, ge=7, le=30)

    @field_validator("alias")
    @classmethod
    def _not_aws_reserved(cls, value: str) -> str:
        if value.startswith(("aws/", "alias/")):
            raise ValueError(f"{value!r}: give the name without 'alias/'; the 'aws/' prefix is reserved by AWS")
        return value


class BucketSpec(ConfigModel):
    name: str
    purpose: Literal["backup", "state"]
    noncurrent_days: int = Field(default=30, ge=1)  # old versions are kept this long, then expire
    abort_multipart_days: int = Field(default=7, ge=1)

    @field_validator("name")
    @classmethod
    def _bucket_name(cls, value: str) -> str:
        if not _BUCKET.match(value):
            raise ValueError(f"{value!r} is not a dot-free S3 bucket name (3-63 of a-z, 0-9, -)")
        return value


class HealthCheckSpec(ConfigModel):
    """An HTTPS probe from Route53's public checkers; an alarm mails the alert address when it fails."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,40}$")
    fqdn: str
    path: str = Field(default="/", pattern=r"^/\S*$")
    port: int = Field(default=443, ge=1, le=65535)

    @field_validator("fqdn")
    @classmethod
    def _fqdn_name(cls, value: str) -> str:
        return _fqdn(value)


class AwsSpec(ConfigModel):
    """`goldentooth:aws`."""

    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")  # KMS, S3 and IAM live here; the edge is in us-east-1
    zone_id: str = Field(pattern=r"^Z[A-Z0-9]{1,31}$")  # the existing zone for domains.base: read, never created
    ttl: TtlSpec = Field(default_factory=TtlSpec)
    blog: CnameSpec  # the bare domain redirects here
    records: tuple[StaticRecordSpec, ...] = ()
    home_proxy: HomeProxySpec
    geo_allow: tuple[str, ...] = ()  # ISO 3166 countries CloudFront serves; empty serves everyone
    vault_seal: VaultSealSpec = Field(default_factory=VaultSealSpec)
    external_dns_user: str = Field(default="goldentooth-external-dns", pattern=r"^[A-Za-z0-9+=,.@_-]{1,64}$")
    buckets: tuple[BucketSpec, ...] = ()
    health_checks: tuple[HealthCheckSpec, ...] = ()
    alert_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    @field_validator("geo_allow")
    @classmethod
    def _countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        check_countries(value)
        _unique(list(value), "countries")
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return check_aws_region(value)

    @model_validator(mode="after")
    def _unique_names(self) -> "AwsSpec":
        _unique([r.name for r in self.records] + [self.blog.name], "record names")
        _unique([b.name for b in self.buckets], "bucket names")
        _unique([c.name for c in self.health_checks], "health check names")
        reserved = {self.home_proxy.name, f"*.{self.home_proxy.name}"}
        clash = sorted(reserved & ({r.name for r in self.records} | {self.blog.name}))
        if clash:
            raise ValueError(f"record {', '.join(clash)} is the home proxy's alias and cannot also be a static record")
        return self
