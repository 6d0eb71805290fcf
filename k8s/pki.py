"""`ClusterPki`: the join credentials (pulumi-random), decided up front and fixed for the life of the stack.

The cluster CA is not here: it lives only on the init node, adopted when it exists and otherwise created there by
`kubeadm init`, so its key never passes through the program, its state or its outputs. Joins pin the CA through
the hash the init step reads back from the node. A fixed token and certificate key mean a join needs no fresh
secret scraped from another command: each join's credentials step only renews their expiry.
"""

from dataclasses import dataclass

import pulumi
import pulumi_random as random


@dataclass(frozen=True)
class ClusterPkiArgs:
    prefix: str  # children are named `<prefix>-bootstrap-token-id`, ...


class ClusterPki(pulumi.ComponentResource):
    bootstrap_token: pulumi.Output[str]  # secret, "[a-z0-9]{6}.[a-z0-9]{16}"
    certificate_key: pulumi.Output[str]  # secret, 64 hex characters (32 bytes): encrypts the kubeadm-certs Secret

    def __init__(self, name: str, args: ClusterPkiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:ClusterPki", name, None, opts)
        cluster_name = args.prefix
        child = pulumi.ResourceOptions(parent=self)
        token_id = _token_part(f"{cluster_name}-bootstrap-token-id", 6, child)
        token_secret = _token_part(f"{cluster_name}-bootstrap-token-secret", 16, child)
        cert_key = random.RandomId(
            f"{cluster_name}-certificate-key",
            byte_length=32,
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["hex", "b64_std", "b64_url", "dec"]),
        )
        self.bootstrap_token = pulumi.Output.secret(pulumi.Output.concat(token_id, ".", token_secret))
        self.certificate_key = pulumi.Output.secret(cert_key.hex)
        self.register_outputs({})


def _token_part(name: str, length: int, parent: pulumi.ResourceOptions) -> pulumi.Output[str]:
    part = random.RandomString(
        name,
        length=length,
        upper=False,
        special=False,
        lower=True,
        numeric=True,
        opts=pulumi.ResourceOptions.merge(parent, pulumi.ResourceOptions(additional_secret_outputs=["result"])),
    )
    return pulumi.Output.secret(part.result)
