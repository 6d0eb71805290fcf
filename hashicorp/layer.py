"""`Hashicorp`: the layer's component. CA (PKI, through `certificates`) → Consul servers → ACL bootstrap → Consul
clients → Vault → init → Nomad, with everything it needs from other layers passed in `HashicorpArgs`."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.contributions import ConsulService
from components.remote_step import StepOptions
from components.script import Script
from config.secrets import SecretValues
from config.spec import ClusterSpec
from hashicorp import paths, steps
from hashicorp.consul.component import Consul, ConsulArgs, token_keys
from hashicorp.identity import HashicorpIdentity, IdentityArgs
from hashicorp.nomad.component import Nomad, NomadArgs
from hashicorp.vault.component import SealAccess, Vault, VaultArgs
from nodes.node import Node

_PROMETHEUS_TOKEN = Script.beside(__file__, "consul/prometheus_token.sh")


@dataclass(frozen=True)
class HashicorpArgs:
    spec: ClusterSpec
    secrets: SecretValues
    nodes: Mapping[str, Node]
    seal: SealAccess  # the AWS layer's KMS key and its scoped IAM user
    services: tuple[ConsulService, ...] = ()  # every layer's Consul services (merged contributions)
    # (node, certificate id) -> the PKI layer's step after which that certificate is on the node
    certificates: Mapping[tuple[str, str], pulumi.Resource] = field(default_factory=dict)


class Hashicorp(pulumi.ComponentResource):
    identity: HashicorpIdentity
    consul: Consul
    vault: Vault
    nomad: Nomad

    def __init__(self, name: str, args: HashicorpArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:hashicorp:Hashicorp", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        services = tuple(sorted(args.services, key=lambda s: (s.node, s.name)))
        self.identity = HashicorpIdentity("identity", IdentityArgs(args.secrets, token_keys(args.spec, services)), child)
        roles = args.spec.roles
        members = sorted({*roles.consul.servers, *roles.consul.clients, *roles.vault.servers, *roles.nomad.servers,
                          *roles.nomad.clients})
        repositories: dict[str, pulumi.Resource] = {}
        for name in members:  # one apt source per node for all three services (their installs run side by side)
            node = args.nodes[name]
            repositories[name] = steps.repository(node.runner_under(self), node.spec, node.os_ready)
        self.consul = Consul("consul", ConsulArgs(args.spec, args.nodes, self.identity, services, args.certificates,
                                                  repositories), child)
        self.vault = Vault("vault", VaultArgs(args.spec, args.nodes, self.identity, args.seal,
                                              self.consul.agents_ready, args.certificates, repositories), child)
        self.nomad = Nomad("nomad", NomadArgs(args.spec, args.nodes, self.identity, self.consul.agents_ready,
                                              args.certificates, repositories), child)
        prometheus = args.nodes[args.spec.roles.prometheus]
        prometheus.runner_under(self).run(
            "consul-prometheus-token", _PROMETHEUS_TOKEN, {"GT_PATH": paths.PROMETHEUS_CONSUL_TOKEN},
            stdin=self.identity.consul_tokens["prometheus"].secret, secret=True,
            options=StepOptions(depends_on=[self.consul.acl]),
        )
        self.recovery_keys = self.vault.recovery_keys
        self.register_outputs({"consul": "consul", "vault": "vault", "nomad": "nomad"})

