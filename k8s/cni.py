"""`Calico`: the pod network, installed by the pinned tigera-operator chart (not an unpinned manifest URL).

The IP pool is the configured pod CIDR with IP-in-IP (what the running cluster uses: tunl0, MTU 1480).
Node addresses are taken from the Kubernetes node's InternalIP, which kubeadm pins with `node-ip`, so a Pi
whose wlan0 is up can never make Calico pick the wrong interface.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from k8s import namespaces
from k8s.helm import Chart, release

REPO = "https://docs.tigera.io/calico/charts"


def calico_chart(version: str, pod_cidr: str) -> Chart:
    return Chart(
        name="calico",
        chart="tigera-operator",
        version=f"v{version}",  # the operator chart's versions carry the v
        repo=REPO,
        namespace=namespaces.TIGERA_OPERATOR,
        create_namespace=True,
        values={
            "installation": {
                "enabled": True,
                "cni": {"type": "Calico"},
                "calicoNetwork": {
                    "bgp": "Enabled",
                    "ipPools": [
                        {
                            "cidr": pod_cidr,
                            "encapsulation": "IPIP",
                            "natOutgoing": "Enabled",
                            "nodeSelector": "all()",
                            "blockSize": 26,
                        }
                    ],
                    "nodeAddressAutodetectionV4": {"kubernetes": "NodeInternalIP"},
                },
            },
            "apiServer": {"enabled": False},
        },
    )


@dataclass(frozen=True)
class CalicoArgs:
    version: str
    pod_cidr: str
    provider: k8s.Provider
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)


class Calico(pulumi.ComponentResource):
    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: CalicoArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:Calico", name, None, opts)
        self.release = release(
            calico_chart(args.version, args.pod_cidr), provider=args.provider, parent=self, depends_on=args.after
        )
        self.register_outputs({"version": args.version})
