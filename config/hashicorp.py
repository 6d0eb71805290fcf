"""`goldentooth:hashicorp`: Consul, Vault and Nomad settings. Who runs what is in `roles` (consul, vault, nomad);
this section holds the pinned versions and the settings that are choices rather than facts of the services."""

import re
from collections.abc import Iterator

from pydantic import Field, field_validator, model_validator

from config.base import ConfigModel
from config.errors import Violation
from config.roles import RolesSpec

_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
_DC = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def _exact(value: str) -> str:
    if not _SEMVER.match(value):
        raise ValueError(f"{value!r} is not an exact version (want MAJOR.MINOR.PATCH)")
    return value


class ConsulSettings(ConfigModel):
    version: str = "1.21.4"
    datacenter: str = "dc1"
    domain: str = "consul"

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        return _exact(value)

    @field_validator("datacenter", "domain")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _DC.match(value):
            raise ValueError(f"{value!r} is not a lower-case DNS label")
        return value


class VaultSettings(ConfigModel):
    version: str = "1.20.4"
    # `vault operator init` with the awskms seal yields recovery keys; shares/threshold are Shamir parameters.
    recovery_shares: int = Field(default=5, ge=1, le=10)
    recovery_threshold: int = Field(default=3, ge=1, le=10)
    # Base64 OpenPGP public keys, one per recovery share: when set, init encrypts each share to one key, so the
    # state holds only ciphertext the program cannot read. Empty: the shares are Pulumi secrets.
    recovery_pgp_keys: tuple[str, ...] = ()
    kv_mount: str = "secret"
    # How long the program's own admin token lives (Vault caps it at the token backend's max TTL, which the
    # bootstrap raises to this). The root token is revoked right after the bootstrap.
    admin_token_ttl_hours: int = Field(default=87_600, ge=24)
    # Vault registers itself (active/standby tags) in Consul. The lab overlay turns it off: OpenBao, which stands
    # in for Vault there, has no Consul service registration.
    consul_registration: bool = True
    # Audit devices from the server configuration instead of the API. OpenBao (the lab's Vault) accepts only
    # these; HashiCorp Vault only the API. The lab overlay turns it on.
    declarative_audit: bool = False
    # A KMS endpoint other than AWS's regional one (a VPC endpoint, or the lab's local KMS). Unset in production.
    kms_endpoint: str | None = Field(default=None, pattern=r"^https?://[A-Za-z0-9.-]+(:\d+)?/?$")

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        return _exact(value)

    @field_validator("kv_mount")
    @classmethod
    def _mount(cls, value: str) -> str:
        if not re.match(r"^[a-z0-9][a-z0-9_-]*$", value):
            raise ValueError(f"{value!r} is not a mount path (letters, digits, _ and -)")
        return value

    @model_validator(mode="after")
    def _shamir(self) -> "VaultSettings":
        if self.recovery_threshold > self.recovery_shares:
            raise ValueError(
                f"recoveryThreshold {self.recovery_threshold} is more than recoveryShares {self.recovery_shares}: "
                "the recovery keys could never be combined"
            )
        if self.recovery_shares > 1 and self.recovery_threshold < 2:
            raise ValueError("recoveryThreshold must be at least 2 when there is more than one share")
        if self.recovery_pgp_keys and len(self.recovery_pgp_keys) != self.recovery_shares:
            raise ValueError(
                f"recoveryPgpKeys has {len(self.recovery_pgp_keys)} keys for {self.recovery_shares} recovery shares: "
                "give one key per share"
            )
        return self


class NomadSettings(ConfigModel):
    version: str = "1.10.5"
    datacenter: str = "dc1"
    region: str = "global"
    gpu_node_class: str = "gpu"
    # nomad-device-nvidia, the external device plugin that fingerprints GPUs for `device "nvidia/gpu"` asks.
    nvidia_plugin_version: str = "1.1.0"

    @field_validator("version", "nvidia_plugin_version")
    @classmethod
    def _version(cls, value: str) -> str:
        return _exact(value)

    @field_validator("datacenter", "region", "gpu_node_class")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _DC.match(value):
            raise ValueError(f"{value!r} is not a lower-case DNS label")
        return value


class HashicorpSpec(ConfigModel):
    """`goldentooth:hashicorp`. `enabled: false` leaves Consul, Vault and Nomad out of the program."""

    enabled: bool = True
    consul: ConsulSettings = Field(default_factory=ConsulSettings)
    vault: VaultSettings = Field(default_factory=VaultSettings)
    nomad: NomadSettings = Field(default_factory=NomadSettings)


def hashicorp_violations(spec: HashicorpSpec, roles: RolesSpec, known_nodes: set[str]) -> Iterator[Violation]:
    """What the layer needs of the role matrix beyond odd quorums and subsets (checked with every other rule)."""
    if not spec.enabled or not roles.consul.servers:
        return  # an empty Consul quorum is reported with the quorums; everything below would only repeat it
    consul_nodes = set(roles.consul.servers) | set(roles.consul.clients)
    for server in (s for s in roles.vault.servers if s in known_nodes):  # unknown names are reported already
        # Vault registers itself in Consul and reaches it through the local agent's TLS port.
        if server not in consul_nodes:
            yield Violation(
                f"roles.vault.servers.{server}",
                "runs a Vault server but no Consul agent: add it to roles.consul.servers or roles.consul.clients",
            )
    for node in sorted({*roles.nomad.servers, *roles.nomad.clients} & known_nodes):
        if node not in consul_nodes:
            yield Violation(
                f"roles.nomad.{node}",
                "runs a Nomad agent but no Consul agent (Nomad joins through Consul): add it to roles.consul",
            )
