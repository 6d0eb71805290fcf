"""`Pki`: the PKI layer. It owns certificates: every layer's `CertificateRequest`s arrive merged in its args; it
issues each on its node, with a `cert-renewer@` timer, after the node trusts the cluster root.

Outputs consumers depend on: `issued[(node, id)]` (the step after which that certificate exists), `trusted[node]`
(after it the node trusts the root and can reach the CA), `root_fingerprint` and `root_pem` (the CA's own, read back
from the CA node), `ssh_known_hosts` (the `@cert-authority` line for the operator's known_hosts).
"""

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_random as random

from components.contributions import CertificateRequest
from config.spec import ClusterSpec
from nodes.node import Node
from pki.authelia.component import CERT_ID as AUTHELIA_CERT
from pki.authelia.component import Authelia, AutheliaArgs
from pki.ca import CaPasswords, StepCa, StepCaArgs
from pki.certs import issue_step, request_problems
from pki.identity import known_hosts_line, root_fingerprint, root_pem
from pki.names import ca_endpoint
from pki.ssh import host_step, user_step
from pki.trust import trust_step


@dataclass(frozen=True)
class PkiArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]
    certificates: tuple[CertificateRequest, ...]  # the merged contributions of every layer
    argocd_client_secret: pulumi.Output[str] | None = None  # Authelia's OIDC client for Argo CD (stack secret)


def _password(name: str, parent: pulumi.Resource) -> pulumi.Output[str]:
    # Letters and digits only: the passwords travel as lines on stdin. Protected: a new one would lock out the
    # provisioner keys encrypted with the old one.
    password = random.RandomPassword(
        name, length=40, special=False,
        opts=pulumi.ResourceOptions(parent=parent, protect=True, additional_secret_outputs=["result"]),
    )
    return pulumi.Output.secret(password.result)


class Pki(pulumi.ComponentResource):
    issued: Mapping[tuple[str, str], pulumi.Resource]
    trusted: Mapping[str, pulumi.Resource]
    ca: StepCa
    root_fingerprint: pulumi.Output[str]
    root_pem: pulumi.Output[str]
    ssh_known_hosts: pulumi.Output[str]
    authelia: "Authelia | None"

    def __init__(self, name: str, args: PkiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:pki:Pki", name, None, opts)
        spec, nodes = args.spec, args.nodes
        problems = request_problems(args.certificates, nodes)
        if problems:
            raise ValueError("the PKI layer cannot issue these certificate requests:\n  - " + "\n  - ".join(problems))
        passwords = CaPasswords(*(_password(f"{name}-{p}", self) for p in
                                  ("root", "online", "services", "ssh-hosts", "ssh-users")))
        endpoint = ca_endpoint(spec)
        ca_node = nodes[endpoint.node]
        self.ca = StepCa(f"{name}-ca", StepCaArgs(spec, endpoint, ca_node.runner_under, ca_node.spec.architecture,
                                                  list(ca_node.booted), passwords), pulumi.ResourceOptions(parent=self))
        identity = self.ca.identity.stdout
        trusted: dict[str, pulumi.Resource] = {}
        issued: dict[tuple[str, str], pulumi.Resource] = {}
        for node_name in sorted(nodes):
            node = nodes[node_name]
            runner = node.runner_under(self)
            after_os = list(node.booted)
            trust = trust_step(runner, spec, endpoint, node.spec.architecture, identity,
                               [*after_os, self.ca.identity])
            trusted[node_name] = trust
            host_step(runner, spec, passwords.ssh_hosts, [trust])
            for user in spec.pki.ssh.users:
                user_step(runner, spec, user, passwords.ssh_users, [trust])
        for request in sorted(args.certificates, key=lambda r: (r.node, r.id)):
            runner = nodes[request.node].runner_under(self)
            issued[(request.node, request.id)] = issue_step(
                runner, request, spec.pki, passwords.services, identity, [trusted[request.node]])
        self.trusted, self.issued = trusted, issued
        self.authelia: Authelia | None = None
        if spec.pki.authelia.enabled:
            where = spec.roles.authelia
            if (where, AUTHELIA_CERT) not in issued or args.argocd_client_secret is None:
                raise ValueError("Authelia needs its TLS certificate request and the Argo CD client secret")
            self.authelia = Authelia(f"{name}-authelia", AutheliaArgs(spec, nodes[where], issued[(where, AUTHELIA_CERT)],
                                                                    args.argocd_client_secret),
                                     pulumi.ResourceOptions(parent=self))
        self.root_fingerprint = identity.apply(root_fingerprint)
        self.root_pem = identity.apply(root_pem)
        self.ssh_known_hosts = identity.apply(known_hosts_line)
        self.register_outputs({"rootFingerprint": self.root_fingerprint, "caUrl": endpoint.url,
                               "sshKnownHosts": self.ssh_known_hosts})
