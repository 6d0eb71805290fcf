"""The program: validated config in, `Cluster` built, outputs exported."""

import pulumi

from cluster.component import Cluster, ClusterArgs
from config.errors import ConfigError
from config.load import load, read_pulumi_config
from config.secrets import SecretValues
from config.spec import ClusterSpec
from lifecycle import previous
from lifecycle.memberships import memberships
from lifecycle.transitions import transition_violations


def build(spec: ClusterSpec, secrets: SecretValues) -> Cluster:
    cluster = Cluster(spec.cluster.name, ClusterArgs(spec, secrets))
    pulumi.export("nodes", {name: {"ip": str(n.spec.ip), "fqdn": n.fqdn} for name, n in cluster.nodes.items()})
    pulumi.export("kubeconfig", cluster.kubernetes.access.kubeconfig)  # secret
    pulumi.export("argocdAdminPassword", cluster.kubernetes.argocd.admin_password)  # secret
    pulumi.export("vaultSeal", cluster.aws.vault_seal.export())  # access key parts are secrets
    pulumi.export("route53NameServers", cluster.aws.name_servers)
    # Read back before the next `up` (lifecycle/previous.py): what a membership change is checked against.
    pulumi.export("memberships", memberships(spec).export())
    if cluster.pki is not None:  # PKI layer: consumers pin the CA's own root, read back from the CA node
        pulumi.export("pkiRootFingerprint", cluster.pki.root_fingerprint)
        pulumi.export("pkiSshKnownHosts", cluster.pki.ssh_known_hosts)
        if cluster.pki.authelia is not None:
            pulumi.export("autheliaPasswords", pulumi.Output.secret(cluster.pki.authelia.passwords))  # secret
    if cluster.hashicorp is not None:
        pulumi.export("vaultRecoveryKeys", cluster.hashicorp.recovery_keys)  # secret
    if cluster.cloudflare is not None:
        pulumi.export("cloudflareTunnelToken", cluster.cloudflare.token)  # secret
    return cluster


def main() -> None:
    """Entry point under the Pulumi CLI: fail before registering anything if the config is invalid."""
    plain, secrets = read_pulumi_config()
    try:
        spec, secrets = load(plain, secrets, require_secrets=True)
        unsafe = transition_violations(previous.from_environment(), spec)
        if unsafe:
            raise ConfigError(unsafe)
    except ConfigError as exc:
        raise pulumi.RunError(exc.report()) from None
    build(spec, secrets)
