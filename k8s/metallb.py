"""`MetalLB` in L2 mode: a namespace allowed to run privileged pods, the pinned chart, then the address pool
and the L2 advertisement, created only after the chart (its CRDs and validating webhook) is up.

The pool is the configured /24 (the range the router routes and HAProxy's pinned addresses live in). The
advertisement names no node selector (all nodes) and only the LAN interface, so a node whose wlan0 is up
never answers ARP on it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from k8s import namespaces
from k8s.helm import Chart, release
from k8s.manifest import apply

NAMESPACE = namespaces.METALLB
POOL = "primary"
REPO = "https://metallb.github.io/metallb"
PRIVILEGED = {f"pod-security.kubernetes.io/{mode}": "privileged" for mode in ("enforce", "audit", "warn")}


def namespace() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": {"name": NAMESPACE, **PRIVILEGED}}}


def metallb_chart(version: str) -> Chart:
    return Chart(
        name="metallb",
        chart="metallb",
        version=version,
        repo=REPO,
        namespace=NAMESPACE,
        values={
            "prometheus": {"scrapeAnnotations": True, "metricsPort": 7472},
            # Pure L2: no BGP router on this LAN any more, so no FRR sidecar.
            "speaker": {"frr": {"enabled": False}},
        },
    )


def address_pool(pool: str) -> dict[str, Any]:
    return {
        "apiVersion": "metallb.io/v1beta1",
        "kind": "IPAddressPool",
        "metadata": {"name": POOL, "namespace": NAMESPACE},
        "spec": {"addresses": [pool], "autoAssign": True, "avoidBuggyIPs": False},
    }


def l2_advertisement(interface: str) -> dict[str, Any]:
    return {
        "apiVersion": "metallb.io/v1beta1",
        "kind": "L2Advertisement",
        "metadata": {"name": POOL, "namespace": NAMESPACE},
        "spec": {"ipAddressPools": [POOL], "interfaces": [interface]},
    }


@dataclass(frozen=True)
class MetallbArgs:
    version: str
    pool: str  # CIDR
    interface: str
    provider: k8s.Provider
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)  # the CNI


class Metallb(pulumi.ComponentResource):
    release: k8s.helm.v3.Release
    ready: list[pulumi.Resource]  # pool and advertisement: LoadBalancer services get addresses after these

    def __init__(self, name: str, args: MetallbArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:Metallb", name, None, opts)
        p = args.provider
        ns = apply("metallb-namespace", namespace(), provider=p, parent=self, depends_on=args.after)
        self.release = release(metallb_chart(args.version), provider=p, parent=self, depends_on=[ns, *args.after])
        pool = apply("metallb-ipaddresspool", address_pool(args.pool), provider=p, parent=self, depends_on=[self.release])
        l2 = apply(
            "metallb-l2advertisement", l2_advertisement(args.interface), provider=p, parent=self, depends_on=[self.release, pool]
        )
        self.ready = [pool, l2]
        self.register_outputs({"pool": args.pool})
