"""kubeadm configuration files (API `kubeadm.k8s.io/v1beta4`), rendered from config as plain text.

Secrets appear only as `{{secret:NAME}}` placeholders that `write_file` fills inside a secret Output, so these
templates are what `goldentooth render` shows and what tests inspect.
"""

from dataclasses import dataclass

import yaml

from components.remote_file import secret_placeholder
from k8s.kubeadm.registration import Registration

KUBEADM_API = "kubeadm.k8s.io/v1beta4"
KUBELET_API = "kubelet.config.k8s.io/v1beta1"
CRI_SOCKET = "unix:///var/run/containerd/containerd.sock"
PKI_DIR = "/etc/kubernetes/pki"
INIT_CONFIG_PATH = "/etc/kubernetes/goldentooth/kubeadm-init.yaml"
JOIN_CONFIG_PATH = "/etc/kubernetes/goldentooth/kubeadm-join.yaml"

BOOTSTRAP_TOKEN = "BOOTSTRAP_TOKEN"
CERTIFICATE_KEY = "CERTIFICATE_KEY"
CA_CERT_HASH = "CA_CERT_HASH"  # not secret, but only known once the CA exists; filled the same way


@dataclass(frozen=True)
class KubeadmSettings:
    cluster_name: str
    version: str  # exact, e.g. 1.32.9
    endpoint_host: str  # the HAProxy address every node and kubeconfig uses
    endpoint_port: int
    pod_cidr: str
    service_cidr: str
    cert_sans: tuple[str, ...]  # extra API server SANs (the LB, control-plane IPs, DNS names)

    @property
    def endpoint(self) -> str:
        return f"{self.endpoint_host}:{self.endpoint_port}"


def _registration(reg: Registration) -> dict[str, object]:
    return {
        "name": reg.name,
        "criSocket": CRI_SOCKET,
        "taints": reg.taint_list(),
        "kubeletExtraArgs": reg.kubelet_extra_args(),
    }


def kubelet_configuration() -> dict[str, object]:
    """Cluster-wide kubelet settings (kubeadm stores them in the kubelet-config ConfigMap for every join).

    Image GC keeps Pi SD cards from filling up; `imageMaximumGCAge` is a config field, not a kubelet flag."""
    return {
        "apiVersion": KUBELET_API,
        "kind": "KubeletConfiguration",
        "cgroupDriver": "systemd",
        "imageGCHighThresholdPercent": 85,
        "imageGCLowThresholdPercent": 75,
        "imageMaximumGCAge": "24h",
    }


def init_documents(settings: KubeadmSettings, reg: Registration) -> list[dict[str, object]]:
    init: dict[str, object] = {
        "apiVersion": KUBEADM_API,
        "kind": "InitConfiguration",
        "bootstrapTokens": [
            {
                "token": secret_placeholder(BOOTSTRAP_TOKEN),
                "description": "goldentooth node joins (managed by Pulumi; refreshed before each join)",
                "ttl": "24h0m0s",
                "usages": ["signing", "authentication"],
                "groups": ["system:bootstrappers:kubeadm:default-node-token"],
            }
        ],
        "certificateKey": secret_placeholder(CERTIFICATE_KEY),
        "localAPIEndpoint": {"advertiseAddress": reg.ip, "bindPort": settings.endpoint_port},
        "nodeRegistration": _registration(reg),
    }
    cluster: dict[str, object] = {
        "apiVersion": KUBEADM_API,
        "kind": "ClusterConfiguration",
        "clusterName": settings.cluster_name,
        "kubernetesVersion": f"v{settings.version}",
        "controlPlaneEndpoint": settings.endpoint,
        "certificatesDir": PKI_DIR,
        "networking": {
            "podSubnet": settings.pod_cidr,
            "serviceSubnet": settings.service_cidr,
            "dnsDomain": "cluster.local",
        },
        "apiServer": {"certSANs": list(settings.cert_sans)},
    }
    return [init, cluster, kubelet_configuration()]


def join_document(settings: KubeadmSettings, reg: Registration, *, control_plane: bool) -> dict[str, object]:
    doc: dict[str, object] = {
        "apiVersion": KUBEADM_API,
        "kind": "JoinConfiguration",
        "discovery": {
            "bootstrapToken": {
                "apiServerEndpoint": settings.endpoint,
                "token": secret_placeholder(BOOTSTRAP_TOKEN),
                # Pinning the CA is what makes token discovery safe; never unsafeSkipCAVerification.
                "caCertHashes": [secret_placeholder(CA_CERT_HASH)],
            },
        },
        "nodeRegistration": _registration(reg),
        "timeouts": {"discovery": "5m0s"},
    }
    if control_plane:
        doc["controlPlane"] = {
            "localAPIEndpoint": {"advertiseAddress": reg.ip, "bindPort": settings.endpoint_port},
            "certificateKey": secret_placeholder(CERTIFICATE_KEY),
        }
    return doc


def dump(documents: list[dict[str, object]]) -> str:
    return yaml.safe_dump_all(documents, sort_keys=False, default_flow_style=False)


def init_config(settings: KubeadmSettings, reg: Registration) -> str:
    return dump(init_documents(settings, reg))


def join_config(settings: KubeadmSettings, reg: Registration, *, control_plane: bool) -> str:
    return dump([join_document(settings, reg, control_plane=control_plane)])
