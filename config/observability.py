"""`goldentooth:observability`: Prometheus and Alertmanager, the exporters, Grafana, Loki and Vector.

Off unless `enabled`. The defaults are the reference cluster's facts (Prometheus 3.2.1, retention 15d/5GB, a
60s scrape interval, 15s rule evaluation, its three external labels); thresholds are the alert rules' knobs.
Secrets (an Alertmanager webhook URL or SMTP password, Grafana's admin password, the OIDC client secret) are
stack secrets (config/secrets.py), never keys here."""

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import Field, field_validator, model_validator

from config.base import ConfigModel
from config.errors import Violation
from config.nodes import NodeSpec

_DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
_SIZE = re.compile(r"^[0-9]+(B|KB|MB|GB|TB|PB)$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
Architecture = Literal["arm64", "amd64"]
_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000,
             "y": 31_536_000_000}


def duration_ms(value: str) -> int:
    """Prometheus' duration syntax (`1h30m`) in milliseconds."""
    return sum(int(n) * _UNITS_MS[u] for n, u in re.findall(r"([0-9]+)(ms|s|m|h|d|w|y)", value))


def _duration(value: str) -> str:
    if not _DURATION.match(value):
        raise ValueError(f"{value!r} is not a Prometheus duration (e.g. 15s, 5m, 15d)")
    return value


class ReleaseSpec(ConfigModel):
    """An upstream release tarball, verified against the checksums pinned here before it is unpacked."""

    version: str
    sha256: dict[Architecture, str] = Field(default_factory=dict)  # of `<name>-<version>.linux-<arch>.tar.gz`

    @field_validator("version")
    @classmethod
    def _exact(cls, value: str) -> str:
        if not _SEMVER.match(value.removeprefix("v")):
            raise ValueError(f"{value!r} is not an exact version (want MAJOR.MINOR.PATCH)")
        return value.removeprefix("v")

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: dict[Architecture, str]) -> dict[Architecture, str]:
        bad = sorted(arch for arch, digest in value.items() if not _SHA256.match(digest))
        if bad:
            raise ValueError(f"{', '.join(bad)}: a checksum is 64 lower-case hex digits (sha256sum)")
        return value


class PrometheusSpec(ConfigModel):
    # `release`: the pinned upstream tarball below (checksum required); `distribution`: the OS package
    # (Debian bookworm: 2.42), for a stack whose checksums are not pinned yet. The rendered config suits both.
    install: Literal["release", "distribution"] = "release"
    release: ReleaseSpec = Field(default_factory=lambda: ReleaseSpec(version="3.2.1"))
    retention_time: str = "15d"
    retention_size: str = "5GB"
    scrape_interval: str = "60s"
    scrape_timeout: str = "15s"
    evaluation_interval: str = "15s"
    external_labels: dict[str, str] = Field(
        default_factory=lambda: {"cluster": "goldentooth", "domain": "goldentooth.net", "environment": "goldentooth"}
    )

    @field_validator("retention_time", "scrape_interval", "scrape_timeout", "evaluation_interval")
    @classmethod
    def _durations(cls, value: str) -> str:
        return _duration(value)

    @field_validator("retention_size")
    @classmethod
    def _size(cls, value: str) -> str:
        if not _SIZE.match(value):
            raise ValueError(f"{value!r} is not a Prometheus size (e.g. 512MB, 5GB)")
        return value

    @field_validator("external_labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(k for k in value if not _LABEL.match(k) or k.startswith("__"))
        if bad:
            raise ValueError(f"{', '.join(bad)}: not a label name ([a-zA-Z_][a-zA-Z0-9_]*, no leading __)")
        return value

    @model_validator(mode="after")
    def _timeout_within_interval(self) -> "PrometheusSpec":
        if duration_ms(self.scrape_timeout) > duration_ms(self.scrape_interval):
            raise ValueError(f"scrapeTimeout {self.scrape_timeout} exceeds scrapeInterval {self.scrape_interval}"
                             " (Prometheus refuses that config)")
        return self


class ReceiverSpec(ConfigModel):
    """Where Alertmanager sends notifications. `none` keeps alerts in Alertmanager's UI only; `webhook` posts to
    the URL in the stack secret `alertmanagerWebhookUrl`; `email` sends through `smarthost`, logging in as
    `authUsername` with the stack secret `alertmanagerSmtpPassword` (when `authUsername` is set)."""

    kind: Literal["none", "webhook", "email"] = "none"
    name: str = Field(default="operator", pattern=r"^[a-z][a-z0-9-]*$")
    email_to: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    email_from: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    smarthost: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")
    auth_username: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> "ReceiverSpec":
        if self.kind == "email":
            missing = [k for k, v in (("emailTo", self.email_to), ("emailFrom", self.email_from),
                                      ("smarthost", self.smarthost)) if v is None]
            if missing:
                raise ValueError(f"kind email needs {', '.join(missing)}")
        return self


class AlertmanagerSpec(ConfigModel):
    receiver: ReceiverSpec = Field(default_factory=ReceiverSpec)
    group_wait: str = "30s"
    group_interval: str = "5m"
    repeat_interval: str = "4h"
    critical_repeat_interval: str = "1h"  # critical alerts repeat sooner

    @field_validator("group_wait", "group_interval", "repeat_interval", "critical_repeat_interval")
    @classmethod
    def _durations(cls, value: str) -> str:
        return _duration(value)


class ThresholdsSpec(ConfigModel):
    """The alert rules' thresholds. The Pi 4's firmware starts soft-throttling at 80 °C (60 °C with a fan
    curve), so the defaults warn before that and page at it."""

    soc_temperature_warning_celsius: float = Field(default=75, gt=30, lt=100)
    soc_temperature_critical_celsius: float = Field(default=80, gt=30, lt=100)
    fan_expected_above_celsius: float = Field(default=70, gt=30, lt=100)
    storage_warning_percent: float = Field(default=80, gt=0, lt=100)
    storage_critical_percent: float = Field(default=95, gt=0, lt=100)
    inodes_free_warning_percent: float = Field(default=10, gt=0, lt=100)
    journal_max_bytes: int = Field(default=2 * 1024**3, gt=0)
    journal_growth_bytes_per_hour: int = Field(default=200 * 1024**2, gt=0)
    # Leaf certificates live 24h and renew at 66% of their life: less than 25% left means renewals fail.
    certificate_remaining_fraction_warning: float = Field(default=0.25, gt=0, lt=1)
    certificate_critical_hours: float = Field(default=2, gt=0)
    tls_probe_warning_hours: float = Field(default=6, gt=0)
    tls_probe_critical_hours: float = Field(default=1, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "ThresholdsSpec":
        problems = []
        if self.soc_temperature_warning_celsius >= self.soc_temperature_critical_celsius:
            problems.append("socTemperatureWarningCelsius must be below socTemperatureCriticalCelsius")
        if self.storage_warning_percent >= self.storage_critical_percent:
            problems.append("storageWarningPercent must be below storageCriticalPercent")
        if self.tls_probe_critical_hours >= self.tls_probe_warning_hours:
            problems.append("tlsProbeCriticalHours must be below tlsProbeWarningHours")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class GrafanaSpec(ConfigModel):
    data_dir: str = Field(default="/var/lib/grafana", pattern=r"^/[^\s]*$")
    # Sign-in through Authelia (roles.authelia) with the stack secret `grafanaOidcClientSecret`.
    oidc: bool = False
    admin_group: str = "admins"  # members of this OIDC group become Grafana admins, others viewers


class LokiSpec(ConfigModel):
    data_dir: str = Field(default="/var/lib/loki", pattern=r"^/[^\s]*$")
    retention_period: str = "168h"

    @field_validator("retention_period")
    @classmethod
    def _durations(cls, value: str) -> str:
        return _duration(value)


class ObservabilitySpec(ConfigModel):
    """`goldentooth:observability`."""

    enabled: bool = False
    prometheus: PrometheusSpec = Field(default_factory=PrometheusSpec)
    alertmanager: AlertmanagerSpec = Field(default_factory=AlertmanagerSpec)
    thresholds: ThresholdsSpec = Field(default_factory=ThresholdsSpec)
    grafana: GrafanaSpec = Field(default_factory=GrafanaSpec)
    loki: LokiSpec = Field(default_factory=LokiSpec)


def observability_violations(obs: ObservabilitySpec, prometheus_node: NodeSpec | None) -> Iterator[Violation]:
    """A pinned Prometheus release needs the checksum of the tarball for the Prometheus node's architecture."""
    if not obs.enabled or obs.prometheus.install != "release" or prometheus_node is None:
        return
    arch = prometheus_node.architecture
    if arch not in obs.prometheus.release.sha256:
        yield Violation(
            f"observability.prometheus.release.sha256.{arch}",
            f"is required: roles.prometheus {prometheus_node.name} is {arch}; paste the sha256 of "
            f"prometheus-{obs.prometheus.release.version}.linux-{arch}.tar.gz from the release's sha256sums.txt "
            "(or set observability.prometheus.install: distribution)",
        )
