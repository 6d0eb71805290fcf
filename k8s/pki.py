"""`ClusterPki`: the cluster CA (pulumi-tls) and the join credentials (pulumi-random), decided up front.

kubeadm uses a CA it finds in /etc/kubernetes/pki instead of generating one, so joins can pin its hash without
reading anything back from `kubeadm init`. The bootstrap token and the certificate key are fixed for the life of
the stack: re-running a join needs no fresh token scraped from another command.
"""

from dataclasses import dataclass

import pulumi
import pulumi_random as random
import pulumi_tls as tls

from k8s.kubeadm.ca_hash import ca_cert_hash

CA_VALIDITY_HOURS = 10 * 365 * 24  # kubeadm's own CA lifetime (10 years)


@dataclass(frozen=True)
class ClusterPkiArgs:
    prefix: str  # children are named `<prefix>-kubernetes-ca`, `<prefix>-bootstrap-token-id`, ...


class ClusterPki(pulumi.ComponentResource):
    ca_cert_pem: pulumi.Output[str]
    ca_key_pem: pulumi.Output[str]  # secret
    ca_cert_hash: pulumi.Output[str]  # "sha256:<hex>" for caCertHashes
    bootstrap_token: pulumi.Output[str]  # secret, "[a-z0-9]{6}.[a-z0-9]{16}"
    certificate_key: pulumi.Output[str]  # secret, 64 hex characters (32 bytes): encrypts the kubeadm-certs Secret

    def __init__(self, name: str, args: ClusterPkiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:ClusterPki", name, None, opts)
        cluster_name = args.prefix
        child = pulumi.ResourceOptions(parent=self)
        # A new CA would orphan every node's kubelet credentials: protect it and keep it if the stack goes.
        stateful = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True)
        key = tls.PrivateKey(f"{cluster_name}-kubernetes-ca", algorithm="RSA", rsa_bits=2048, opts=stateful)
        cert = tls.SelfSignedCert(
            f"{cluster_name}-kubernetes-ca",
            private_key_pem=key.private_key_pem,
            subject=tls.SelfSignedCertSubjectArgs(common_name="kubernetes", organization=cluster_name),
            is_ca_certificate=True,
            validity_period_hours=CA_VALIDITY_HOURS,
            allowed_uses=["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
            opts=stateful,
        )
        token_id = _token_part(f"{cluster_name}-bootstrap-token-id", 6, child)
        token_secret = _token_part(f"{cluster_name}-bootstrap-token-secret", 16, child)
        cert_key = random.RandomId(
            f"{cluster_name}-certificate-key",
            byte_length=32,
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["hex", "b64_std", "b64_url", "dec"]),
        )
        self.ca_cert_pem = cert.cert_pem
        self.ca_key_pem = pulumi.Output.secret(key.private_key_pem)
        self.ca_cert_hash = key.public_key_pem.apply(ca_cert_hash)
        self.bootstrap_token = pulumi.Output.secret(pulumi.Output.concat(token_id, ".", token_secret))
        self.certificate_key = pulumi.Output.secret(cert_key.hex)
        self.register_outputs({"caCertPem": self.ca_cert_pem, "caCertHash": self.ca_cert_hash})


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
