"""Secret stack config: which secrets exist, when each is required, and how values become secret Outputs.

Values are held as `SecretStr`, so a repr, a log line or an error message can never show them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
from pydantic import SecretStr

from config.errors import Violation

if TYPE_CHECKING:
    from config.spec import ClusterSpec


def _always(_: "ClusterSpec") -> bool:
    return True


@dataclass(frozen=True)
class SecretDef:
    key: str  # config key under the goldentooth: namespace
    purpose: str
    how: str  # the command that sets it
    required: Callable[["ClusterSpec"], bool] = _always


def _set(key: str, source: str) -> str:
    return f"{source} | pulumi config set --secret goldentooth:{key}"


SECRET_DEFS: tuple[SecretDef, ...] = (
    SecretDef(
        "sshPrivateKey",
        "private key the program logs in to every node with (not needed with ssh.useAgent)",
        _set("sshPrivateKey", "cat ~/.ssh/goldentooth_ed25519"),
        lambda spec: not spec.ssh.use_agent,
    ),
    SecretDef(
        "haproxyStatsPassword",
        "password of the HAProxy stats page (user: the operator)",
        _set("haproxyStatsPassword", "pwgen -s 32 1"),
    ),
    SecretDef(
        "githubToken",
        "GitHub token the Argo CD ApplicationSet uses to list the organisation's repositories",
        _set("githubToken", "gh auth token"),
    ),
    SecretDef(
        "autheliaArgocdClientSecret",
        "OIDC client secret shared by Authelia and Argo CD",
        _set("autheliaArgocdClientSecret", "pwgen -s 64 1"),
    ),
    SecretDef(
        "cloudflareApiToken",
        "Cloudflare API token (Account: Cloudflare Tunnel Edit, Zone: DNS Edit) for the tunnel and its records",
        _set("cloudflareApiToken", "cat ~/.config/goldentooth/cloudflare-token"),
        lambda spec: spec.cloudflare.enabled,
    ),
    SecretDef(
        "alertmanagerWebhookUrl",
        "URL Alertmanager posts notifications to (observability.alertmanager.receiver.kind: webhook)",
        _set("alertmanagerWebhookUrl", "echo https://hooks.example.net/<token>"),
        lambda spec: spec.observability.enabled and spec.observability.alertmanager.receiver.kind == "webhook",
    ),
    SecretDef(
        "alertmanagerSmtpPassword",
        "SMTP password Alertmanager logs in with (observability.alertmanager.receiver.kind: email with authUsername)",
        _set("alertmanagerSmtpPassword", "cat ~/.config/goldentooth/smtp-password"),
        lambda spec: spec.observability.enabled
        and spec.observability.alertmanager.receiver.kind == "email"
        and spec.observability.alertmanager.receiver.auth_username is not None,
    ),
    SecretDef(
        "grafanaOidcClientSecret",
        "OIDC client secret shared by Authelia and Grafana (observability.grafana.oidc)",
        _set("grafanaOidcClientSecret", "pwgen -s 64 1"),
        lambda spec: spec.observability.enabled and spec.observability.grafana.oidc,
    ),
)

def _never(_: "ClusterSpec") -> bool:
    return False


# Adopted identities of the live HashiCorp cluster: unset on a fresh cluster (the program generates them with
# pulumi-random); set to the live values before the first `pulumi up` against a cluster the Ansible era built.
SECRET_DEFS += (
    SecretDef(
        "consulGossipKey",
        "the live Consul gossip key to adopt (unset: the program generates one for a fresh cluster)",
        _set("consulGossipKey", "cat consul-gossip-key"),
        _never,
    ),
    SecretDef(
        "consulManagementToken",
        "the live Consul ACL management token to adopt (unset: the program presets one on a fresh cluster)",
        _set("consulManagementToken", "cat consul-management-token"),
        _never,
    ),
    SecretDef(
        "nomadGossipKey",
        "the live Nomad gossip key to adopt (unset: generated)",
        _set("nomadGossipKey", "cat nomad-gossip-key"),
        _never,
    ),
    SecretDef(
        "nomadManagementToken",
        "the live Nomad ACL bootstrap token to adopt (unset: the program bootstraps Nomad's ACLs with its own)",
        _set("nomadManagementToken", "cat nomad-management-token"),
        _never,
    ),
    SecretDef(
        "vaultRootToken",
        "a root token of an already initialised Vault, used once to create the program's admin token (adoption)",
        _set("vaultRootToken", "cat vault-root-token"),
        _never,
    ),
)

SECRET_KEYS = frozenset(d.key for d in SECRET_DEFS)
PLACEHOLDER = "[offline placeholder]"


@dataclass(frozen=True)
class SecretValues:
    """The secret config of one evaluation. Missing or undecryptable values offline are placeholders."""

    values: Mapping[str, SecretStr] = field(default_factory=dict)
    placeholders: frozenset[str] = frozenset()

    def output(self, key: str) -> pulumi.Output[str]:
        if key not in SECRET_KEYS:
            raise KeyError(f"{key!r} is not a declared secret (see config/secrets.py)")
        value = self.values.get(key)
        return pulumi.Output.secret(value.get_secret_value() if value is not None else PLACEHOLDER)

    def has(self, key: str) -> bool:
        return key in self.values


def missing_secrets(spec: "ClusterSpec", values: SecretValues) -> list[Violation]:
    """Required secrets that have no value: a clear message with the command that sets each."""
    return [
        Violation(f"goldentooth:{d.key}", f"required secret is not set ({d.purpose}); set it with: {d.how}")
        for d in SECRET_DEFS
        if d.required(spec) and not values.has(d.key)
    ]
