"""Consul ACL policies and tokens as code.

Every token has an accessor and a secret id decided up front (pulumi-random UUIDs), so the bootstrap step can
create it with exactly those ids on a fresh cluster and find it again on a re-run: nothing is minted per run and
nothing is parsed out of a command's output (G-CON-2). Policies are the reference's, narrowed where it was wide.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class Rule:
    resource: str  # node, node_prefix, service, service_prefix, agent, agent_prefix, key_prefix, session_prefix
    segment: str
    policy: str  # read | write | deny


@dataclass(frozen=True)
class Policy:
    name: str
    description: str
    rules: tuple[Rule, ...] = ()
    operator: str | None = None  # operator = "read" etc.

    def hcl(self) -> str:
        """The rules text Consul stores; sorted so the same policy always renders the same bytes."""
        lines = [f'operator = "{self.operator}"'] if self.operator else []
        for rule in sorted(self.rules, key=lambda r: (r.resource, r.segment)):
            lines.append(f'{rule.resource} "{rule.segment}" {{ policy = "{rule.policy}" }}')
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class TokenSpec:
    """A token the bootstrap step ensures, keyed by a stable name used for its random ids."""

    key: str
    description: str
    policies: tuple[str, ...]


def agent_policy(node: str) -> Policy:
    return Policy(
        f"agent-{node}",
        f"Consul agent on {node}",
        (
            Rule("node", node, "write"),
            Rule("node_prefix", "", "read"),
            Rule("agent", node, "write"),
            Rule("agent_prefix", "", "read"),
            Rule("service_prefix", "", "read"),
        ),
    )


def registration_policy(node: str, services: Iterable[str]) -> Policy:
    """Write on exactly the services registered on this node (G-CON-4: registrations carry a token)."""
    rules = [Rule("node_prefix", "", "read"), *(Rule("service", s, "write") for s in sorted(set(services)))]
    return Policy(f"registration-{node}", f"Service registrations on {node}", tuple(rules))


VAULT = Policy(
    "vault",
    "Vault servers registering the vault service",
    (Rule("service", "vault", "write"), Rule("agent_prefix", "", "read"), Rule("node_prefix", "", "read")),
)
NOMAD_SERVER = Policy(
    "nomad-server",
    "Nomad servers: register, discover clients and servers",
    (Rule("agent_prefix", "", "read"), Rule("node_prefix", "", "read"), Rule("service_prefix", "", "write")),
    operator="write",
)
NOMAD_CLIENT = Policy(
    "nomad-client",
    "Nomad clients: register their tasks' services",
    (Rule("agent_prefix", "", "read"), Rule("node_prefix", "", "read"), Rule("service_prefix", "", "write")),
)
PROMETHEUS = Policy(
    "prometheus",
    "Prometheus scraping agent metrics",
    (Rule("agent_prefix", "", "read"), Rule("node_prefix", "", "read"), Rule("service_prefix", "", "read")),
)


def bootstrap_document(
    management_token: pulumi.Output[str],
    policies: Iterable[Policy],
    tokens: Iterable[TokenSpec],
    ids: Mapping[str, tuple[pulumi.Output[str], pulumi.Output[str]]],
) -> pulumi.Output[str]:
    """The JSON the ACL step reads on stdin: the management token, every policy and every token with its ids.

    A secret Output: it holds token secrets. Ordered by name, so its text is a pure function of config."""
    policy_list = [{"Name": p.name, "Description": p.description, "Rules": p.hcl()} for p in sorted(
        policies, key=lambda p: p.name)]
    token_list = sorted(tokens, key=lambda t: t.key)
    flat: list[pulumi.Output[str]] = [management_token]
    for token in token_list:
        accessor, secret = ids[token.key]
        flat += [accessor, secret]

    def build(values: list[str]) -> str:
        entries = []
        for index, token in enumerate(token_list):
            entries.append({
                "AccessorID": values[1 + 2 * index],
                "SecretID": values[2 + 2 * index],
                "Description": token.description,
                "Policies": [{"Name": name} for name in sorted(token.policies)],
            })
        return json.dumps({"ManagementToken": values[0], "Policies": policy_list, "Tokens": entries}, sort_keys=True)

    return pulumi.Output.secret(pulumi.Output.all(*flat).apply(build))
