"""`goldentooth:pki`: Step-CA on `roles.stepCa`, the certificates it issues and the timers that renew them.

Durations are Go-style `<n>m` or `<n>h` strings (step-ca's own syntax); `renewAt` is the share of a certificate's
lifetime that has elapsed when its timer renews it (`step certificate needs-renewal --expires-in <100-renewAt>%`).
The rules beside the model (`pki_violations`) tie the section to the inventory: the CA's URL host must be one of
the CA's own names, and every certificate's renewal window must leave its timer room to fire more than once.
"""

import re
from collections.abc import Iterator
from ipaddress import IPv4Address

from pydantic import Field, field_validator

from config.base import ConfigModel
from config.errors import Violation

_DURATION = re.compile(r"^[1-9][0-9]*(m|h)$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
# cert-renewer@.timer: OnCalendar every 5 minutes plus up to a minute of jitter (pki/renewer.py keeps them).
TIMER_PERIOD_MINUTES = 5
TIMER_JITTER_MINUTES = 1


def minutes(duration: str) -> int:
    value, unit = int(duration[:-1]), duration[-1]
    return value * 60 if unit == "h" else value


def _duration(value: str) -> str:
    if not _DURATION.match(value):
        raise ValueError(f"{value!r} is not a duration like 15m or 24h")
    return value


class TlsSpec(ConfigModel):
    """X.509 service certificates from the `services` provisioner."""

    min_duration: str = "5m"
    default_duration: str = "24h"
    max_duration: str = "168h"  # the reference's maxTLSCertDuration
    renew_at: int = Field(default=66, ge=10, le=90)

    @field_validator("min_duration", "default_duration", "max_duration")
    @classmethod
    def _durations(cls, value: str) -> str:
        return _duration(value)


class SshSpec(ConfigModel):
    """SSH host certificates (every node) and user certificates (`users` on every node)."""

    host_duration: str = "24h"
    user_duration: str = "24h"
    renew_at: int = Field(default=66, ge=10, le=90)
    users: tuple[str, ...] = ("root",)  # local accounts that get a user certificate on every node

    @field_validator("host_duration", "user_duration")
    @classmethod
    def _durations(cls, value: str) -> str:
        return _duration(value)

    @field_validator("users")
    @classmethod
    def _users(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [u for u in value if not _USER.match(u)]
        if bad:
            raise ValueError(f"{bad} are not user names")
        if len(set(value)) != len(value):
            raise ValueError("lists a user more than once")
        return tuple(sorted(value))


class CanarySpec(ConfigModel):
    """A short-lived certificate on `node` whose timer must keep renewing it: proof that renewal works."""

    node: str | None = None  # default: the HAProxy node (the reference's allyrion)
    # The reference's 15m at 50% leaves 7.5 min, one firing of the 5-min timer: a single late run lets it lapse.
    duration: str = "30m"
    renew_at: int = Field(default=50, ge=10, le=90)

    @field_validator("duration")
    @classmethod
    def _durations(cls, value: str) -> str:
        return _duration(value)


class AutheliaUser(ConfigModel):
    """A user of Authelia's file backend; the password is generated (pulumi-random) and exported as a secret."""

    name: str = Field(pattern=r"^[a-z][a-z0-9._-]{0,31}$")
    display_name: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    groups: tuple[str, ...] = ()


class AutheliaSpec(ConfigModel):
    """Authelia on `roles.authelia`: the front door (OIDC for Argo CD), TLS from this layer."""

    enabled: bool = False
    version: str = "4.38.19"  # the reference ran 4.38.10; the module proxy serves 4.38.17 and later of 4.38
    port: int = Field(default=9091, ge=1, le=65535)
    metrics_port: int = Field(default=9959, ge=1, le=65535)
    users: tuple[AutheliaUser, ...] = ()

    @field_validator("version")
    @classmethod
    def _exact(cls, value: str) -> str:
        if not _VERSION.match(value.removeprefix("v")):
            raise ValueError(f"{value!r} is not an exact version (want MAJOR.MINOR.PATCH)")
        return value.removeprefix("v")


class PkiSpec(ConfigModel):
    """`goldentooth:pki`."""

    enabled: bool = False
    step_ca_version: str = "0.30.2"
    step_cli_version: str = "0.30.2"
    port: int = Field(default=9443, ge=1, le=65535)
    ca_name: str = Field(default="goldentooth", pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$")
    # The host in the one ca-url every client uses (G-PKI-1): default the CA node's address (no DNS, no
    # /etc/hosts needed). It must be one of the CA's names (short name, FQDNs, address).
    ca_url_host: str | None = None
    # The root an existing /etc/step-ca must carry to be adopted (sha256 of its DER, hex). None adopts any root
    # and reports its fingerprint; set it to the live root's to refuse a CA that is not the one the cluster trusts.
    expected_root_fingerprint: str | None = None
    tls: TlsSpec = Field(default_factory=TlsSpec)
    ssh: SshSpec = Field(default_factory=SshSpec)
    canary: CanarySpec = Field(default_factory=CanarySpec)
    authelia: AutheliaSpec = Field(default_factory=AutheliaSpec)

    @field_validator("step_ca_version", "step_cli_version")
    @classmethod
    def _exact(cls, value: str) -> str:
        if not _VERSION.match(value.removeprefix("v")):
            raise ValueError(f"{value!r} is not an exact version (want MAJOR.MINOR.PATCH)")
        return value.removeprefix("v")

    @field_validator("expected_root_fingerprint")
    @classmethod
    def _fingerprint(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.replace(":", "").lower()
        if not _FINGERPRINT.match(value):
            raise ValueError("is not a SHA-256 fingerprint (64 hex digits)")
        return value


def ca_names(node: str, address: IPv4Address, base_domain: str, node_domain: str) -> tuple[str, ...]:
    """The names the CA's own TLS certificate carries (the reference's SANs): short, host FQDN, node FQDN, IP."""
    return (node, f"{node}.{base_domain}", f"{node}.{node_domain}", str(address))


def _window_violations(path: str, lifetime: str, renew_at: int) -> Iterator[Violation]:
    """The renewal window (lifetime after renewAt) must hold at least two timer firings, so one missed firing
    (a reboot, a CA restart) never lets the certificate lapse (G-PKI-5: daily timers on 24 h certificates)."""
    window = minutes(lifetime) * (100 - renew_at) / 100
    needed = 2 * (TIMER_PERIOD_MINUTES + TIMER_JITTER_MINUTES)
    if window < needed:
        yield Violation(
            path,
            f"renewing at {renew_at}% of {lifetime} leaves {window:g} minutes before expiry; the renewal timer "
            f"(every {TIMER_PERIOD_MINUTES} min, up to {TIMER_JITTER_MINUTES} min late) needs at least {needed}",
        )


def pki_violations(pki: PkiSpec, ca_names_: tuple[str, ...] | None, node_names: set[str]) -> Iterator[Violation]:
    if not pki.enabled:
        return
    if pki.ca_url_host is not None and ca_names_ is not None and pki.ca_url_host not in ca_names_:
        yield Violation(
            "pki.caUrlHost",
            f"{pki.ca_url_host!r} is not one of the CA's names ({', '.join(ca_names_)}), so clients would refuse "
            f"its certificate",
        )
    tls = pki.tls
    floor, ceiling = minutes(tls.min_duration), minutes(tls.max_duration)
    for key, value in (("defaultDuration", tls.default_duration),):
        if not floor <= minutes(value) <= ceiling:
            yield Violation(f"pki.tls.{key}", f"{value} lies outside minDuration {tls.min_duration} .. maxDuration "
                                              f"{tls.max_duration}")
    if not floor <= minutes(pki.canary.duration) <= ceiling:
        yield Violation("pki.canary.duration", f"{pki.canary.duration} lies outside pki.tls.minDuration "
                                               f"{tls.min_duration} .. maxDuration {tls.max_duration}")
    yield from _window_violations("pki.tls.renewAt", tls.default_duration, tls.renew_at)
    yield from _window_violations("pki.canary.renewAt", pki.canary.duration, pki.canary.renew_at)
    yield from _window_violations("pki.ssh.renewAt", pki.ssh.host_duration, pki.ssh.renew_at)
    yield from _window_violations("pki.ssh.renewAt", pki.ssh.user_duration, pki.ssh.renew_at)
    if pki.canary.node is not None and pki.canary.node not in node_names:
        yield Violation("pki.canary.node", f"{pki.canary.node!r} is not a node in the inventory")
    names = [u.name for u in pki.authelia.users]
    for name in sorted({n for n in names if names.count(n) > 1}):
        yield Violation("pki.authelia.users", f"user {name!r} is listed more than once")
    if pki.authelia.enabled and not pki.authelia.users:
        yield Violation("pki.authelia.users", "Authelia is enabled but has no users to log in with")
    if pki.authelia.port == pki.authelia.metrics_port:
        yield Violation("pki.authelia.metricsPort", "is the same port as pki.authelia.port")
