"""`goldentooth:cloudflare`: a Cloudflare Tunnel publishing chosen apps through a zone hosted on Cloudflare.

Off unless `enabled`: Cloudflare only routes tunnel hostnames through proxied records in its own zone, so the
zone named here must be a Cloudflare zone (a CNAME in Route53 to <id>.cfargotunnel.com does not route)."""

import re

from pydantic import Field, field_validator, model_validator

from config.base import ConfigModel

_FQDN = re.compile(r"^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ID = re.compile(r"^[0-9a-f]{32}$")
# Origins cloudflared can reach; `http_status:` rules are generated (the catch-all), not configured.
_SERVICE = re.compile(r"^(https?|tcp|ssh|rdp|unix|unix\+tls|smb)://\S+$")


class RouteSpec(ConfigModel):
    """One public hostname and the in-cluster service cloudflared forwards it to."""

    hostname: str
    service: str

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, value: str) -> str:
        if not _FQDN.match(value):
            raise ValueError(f"{value!r} is not a lower-case DNS name")
        return value

    @field_validator("service")
    @classmethod
    def _service(cls, value: str) -> str:
        if not _SERVICE.match(value):
            raise ValueError(f"{value!r} is not an origin URL cloudflared can reach (http://svc.ns.svc.cluster.local:80)")
        return value


class CloudflareSpec(ConfigModel):
    """`goldentooth:cloudflare`."""

    enabled: bool = False
    account_id: str | None = None
    zone: str | None = None  # the Cloudflare-hosted zone every route hostname lies in
    zone_id: str | None = None
    tunnel_name: str = Field(default="goldentooth", pattern=r"^[a-z][a-z0-9-]{0,62}$")
    routes: tuple[RouteSpec, ...] = ()  # public apps add theirs in the Kubernetes layer

    @field_validator("account_id", "zone_id")
    @classmethod
    def _hex_id(cls, value: str | None) -> str | None:
        if value is not None and not _ID.match(value):
            raise ValueError(f"{value!r} is not a Cloudflare id (32 lower-case hex digits)")
        return value

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> "CloudflareSpec":
        if self.enabled:
            missing = [k for k, v in (("accountId", self.account_id), ("zone", self.zone), ("zoneId", self.zone_id)) if v is None]
            if missing:
                raise ValueError(f"enabled needs {', '.join(missing)}")
        if self.zone is not None:
            outside = [r.hostname for r in self.routes if not in_zone(r.hostname, self.zone)]
            if outside:
                raise ValueError(f"{', '.join(outside)} lie outside the Cloudflare zone {self.zone}")
        names = [r.hostname for r in self.routes]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"route hostnames {', '.join(dupes)} appear more than once")
        return self


def in_zone(hostname: str, zone: str) -> bool:
    return hostname == zone or hostname.endswith(f".{zone}")
