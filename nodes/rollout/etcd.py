"""The control plane's quorum check: every etcd member answers `/health` (what `etcdctl endpoint health` asks).

Run on the first control-plane node with kubeadm's healthcheck client certificate, against each member's client
URL directly (not through the API load balancer), so it tells whether etcd itself can lose one more member."""

from components.contributions import QuorumCheck
from config.spec import ClusterSpec

PKI = "/etc/kubernetes/pki/etcd"
CLIENT_PORT = 2379
MANIFEST = "/etc/kubernetes/manifests/etcd.yaml"


def etcd_check(spec: ClusterSpec) -> QuorumCheck:
    members = spec.roles.kubernetes.control_plane
    curl = (f"curl -fsS --max-time 5 --cacert {PKI}/ca.crt --cert {PKI}/healthcheck-client.crt "
            f"--key {PKI}/healthcheck-client.key")
    command = " && ".join(
        f"{curl} https://{n.ip}:{CLIENT_PORT}/health | grep -q '\"health\":\"true\"'"
        for n in spec.nodes_named(members)
    )
    return QuorumCheck("etcd", members, members[0], command, timeout_seconds=600, present=f"[ -f {MANIFEST} ]")
