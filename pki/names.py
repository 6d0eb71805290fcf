"""Paths, provisioner names and the CA's URL: facts every part of the layer (and its tests) shares."""

from dataclasses import dataclass

from components.apt import AptSource, pinned
from config.pki import ca_names
from config.spec import ClusterSpec

CA_DIR = "/etc/step-ca"  # the CA's STEPPATH (the live CA's layout, adopted as it is)
CA_CONFIG = f"{CA_DIR}/config/ca.json"
CA_ROOT = f"{CA_DIR}/certs/root_ca.crt"
CA_PASSWORD_FILE = f"{CA_DIR}/.password_intermediate.txt"  # opens the intermediate and SSH CA keys at start
CA_USER = "step"
STEPPATH = "/root/.step"  # every node's client context (G-PKI-2: never /etc/step-ca)
TRUST_ANCHOR = "/usr/local/share/ca-certificates/goldentooth.crt"
ROOT_BUNDLE = "/etc/ssl/certs/goldentooth.pem"  # what update-ca-certificates makes of it; services' CA file
STATE_DIR = "/etc/goldentooth/pki"  # per-certificate renewal settings (<id>.env)
RENEWER = "/usr/local/lib/goldentooth/cert-renewer"
SSH_USERS_PASSWORD = f"{STATE_DIR}/ssh-users.password"  # the one provisioner password a node keeps (see README)
SSH_USER_CA = "/etc/ssh/goldentooth_user_ca.pub"
SSH_KNOWN_HOSTS = "/etc/ssh/ssh_known_hosts"
SSHD_DROP_IN = "/etc/ssh/sshd_config.d/20-goldentooth-ca.conf"
SSH_HOST_KEY = "/etc/ssh/ssh_host_ed25519_key"

# Provisioners, one per purpose (the reference used one JWK, `default`, for everything, with its password on
# every node: G-PKI-6). `default` stays on an adopted CA (nothing here uses it).
X509_PROVISIONER = "services"  # X.509 issue at converge (password on stdin); renewal is mTLS/renew-token
SSH_HOST_PROVISIONER = "ssh-hosts"  # SSH host certificates at converge; renewal through sshpop
SSH_USER_PROVISIONER = "ssh-users"  # SSH user certificates only (its X.509 template refuses everything)
SSHPOP_PROVISIONER = "sshpop"


@dataclass(frozen=True)
class CaEndpoint:
    node: str
    address: str
    port: int
    names: tuple[str, ...]  # the CA's own TLS names
    url: str  # the one ca-url every client uses


def ca_endpoint(spec: ClusterSpec) -> CaEndpoint:
    node = spec.node(spec.roles.step_ca)
    names = ca_names(node.name, node.ip, spec.domains.base, spec.domains.nodes)
    host = spec.pki.ca_url_host or str(node.ip)
    return CaEndpoint(node.name, str(node.ip), spec.pki.port, names, f"https://{host}:{spec.pki.port}")


def smallstep_source(architecture: str) -> AptSource:
    """Smallstep's apt repository (the reference's), scoped to the node's architecture."""
    return AptSource(
        "smallstep",
        "https://packages.smallstep.com/stable/debian",
        "debs",
        ("main",),
        architecture,
        "https://packages.smallstep.com/keys/apt/repo-signing-key.gpg",
    )


def cli_package(spec: ClusterSpec) -> str:
    return pinned({"step-cli": spec.pki.step_cli_version})


def ca_packages(spec: ClusterSpec) -> str:
    return pinned({"step-ca": spec.pki.step_ca_version, "step-cli": spec.pki.step_cli_version})
