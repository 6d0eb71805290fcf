"""Positive topology fixtures: edits of the real stack that are valid clusters of another shape, each of which must
evaluate cleanly (tests/test_topologies.py). A layer that assumes the real stack's shape (three control planes, a
GPU node, NFS exports, Cloudflare off) fails here."""

from collections.abc import Callable
from typing import Any

from tests.aws_support import with_cloudflare

Edit = Callable[[dict[str, Any]], None]
GPU_ROLE_LISTS = (("kubernetes", "gpuWorkers"), ("nomad", "gpuClients"), ("ray", "gpuWorkers"))


def one_control_plane(plain: dict[str, Any]) -> None:
    """A single etcd member: kubeadm init and no control-plane join."""
    k8s = plain["roles"]["kubernetes"]
    first, *rest = k8s["controlPlane"]
    k8s["controlPlane"] = [first]
    k8s["workers"] = [*rest, *k8s["workers"]]


def five_control_planes(plain: dict[str, Any]) -> None:
    """Five etcd members: two workers (with their own reboot hours already) promoted, in inventory order."""
    k8s = plain["roles"]["kubernetes"]
    promoted = [w for w in k8s["workers"] if w not in k8s.get("gpuWorkers", [])][:2]
    k8s["controlPlane"] = [*k8s["controlPlane"], *promoted]
    k8s["workers"] = [w for w in k8s["workers"] if w not in promoted]


def no_gpu_node(plain: dict[str, Any]) -> None:
    """No node carries a GPU: the GPU roles are empty, the device plugin and the NVIDIA runtime are not built."""
    for node in plain["nodes"]:
        node.pop("gpu", None)
    roles = plain["roles"]
    for section, key in GPU_ROLE_LISTS:
        if isinstance(roles.get(section), dict):
            roles[section][key] = []
    roles["ollama"] = []


def no_nfs(plain: dict[str, Any]) -> None:
    plain["roles"]["nfsExports"] = []


def cloudflare_on(plain: dict[str, Any]) -> None:
    """The tunnel with one configured route, and the sample httpbin app published through it."""
    with_cloudflare()(plain)
    plain.setdefault("kubernetes", {})["apps"] = [
        {"name": "httpbin", "image": "mccutchen/go-httpbin:v2.15.0", "port": 8080, "public": True,
         "loadBalancerIp": "10.4.11.1"},
    ]


TOPOLOGIES: dict[str, Edit] = {
    "one-control-plane": one_control_plane,
    "three-control-planes": lambda plain: None,  # the real stack's own shape
    "five-control-planes": five_control_planes,
    "no-gpu-node": no_gpu_node,
    "no-nfs": no_nfs,
    "cloudflare-on": cloudflare_on,
}
