"""The HashiCorp layer's identities: gossip keys, management tokens, token ids, decided once by pulumi-random and
kept in state (encrypted), or adopted from the live cluster through secret config.

A live cluster already has a gossip keyring and bootstrapped ACLs (the Ansible era printed both for the operator
to store). Generating new ones would split gossip and lock the program out, so when the matching secret is set
(`consulGossipKey`, `consulManagementToken`, `nomadGossipKey`, `nomadManagementToken`) its value is used instead.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import pulumi
import pulumi_random as random

from config.secrets import SecretValues


def _uuid(name: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    made = random.RandomUuid(name, opts=pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["result"]))
    return pulumi.Output.secret(made.result)


def _gossip_key(name: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    made = random.RandomBytes(name, length=32, opts=pulumi.ResourceOptions(parent=parent))
    return pulumi.Output.secret(made.base64)


def _adopted_or(secrets: SecretValues, key: str, make: pulumi.Output[str] | None) -> pulumi.Output[str]:
    return secrets.output(key) if secrets.has(key) or make is None else make


@dataclass(frozen=True)
class TokenIds:
    accessor: pulumi.Output[str]
    secret: pulumi.Output[str]


@dataclass(frozen=True)
class IdentityArgs:
    secrets: SecretValues  # the adopted identities, where set
    token_keys: Iterable[str]  # every Consul token the layer presets (hashicorp/consul/component.py token_keys)


class HashicorpIdentity(pulumi.ComponentResource):
    """Every id of the layer, under one component so the plan shows them together."""

    consul_gossip_key: pulumi.Output[str]
    consul_management_token: pulumi.Output[str]
    nomad_gossip_key: pulumi.Output[str]
    nomad_management_token: pulumi.Output[str]
    vault_admin_token: pulumi.Output[str]
    vault_adopt_root_token: pulumi.Output[str]
    consul_tokens: dict[str, TokenIds]

    def __init__(self, name: str, args: IdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:hashicorp:Identity", name, None, opts)
        secrets, token_keys = args.secrets, args.token_keys
        self.consul_gossip_key = _adopted_or(
            secrets, "consulGossipKey", None if secrets.has("consulGossipKey") else _gossip_key("consul-gossip", self)
        )
        self.consul_management_token = _adopted_or(
            secrets, "consulManagementToken",
            None if secrets.has("consulManagementToken") else _uuid("consul-management", self),
        )
        self.nomad_gossip_key = _adopted_or(
            secrets, "nomadGossipKey", None if secrets.has("nomadGossipKey") else _gossip_key("nomad-gossip", self)
        )
        self.nomad_management_token = _adopted_or(
            secrets, "nomadManagementToken",
            None if secrets.has("nomadManagementToken") else _uuid("nomad-management", self),
        )
        # The token the program configures Vault with after init (created with this id by the init step).
        self.vault_admin_token = _uuid("vault-admin", self)
        # Used once, by the init step, on a Vault initialised before the program (an empty line otherwise).
        self.vault_adopt_root_token = (
            secrets.output("vaultRootToken") if secrets.has("vaultRootToken") else pulumi.Output.secret("")
        )
        self.consul_tokens = {
            key: TokenIds(_uuid(f"consul-{key}-accessor", self), _uuid(f"consul-{key}-secret", self))
            for key in sorted(set(token_keys))
        }
        self.register_outputs({"consulTokens": sorted(self.consul_tokens)})
