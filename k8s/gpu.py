"""`GpuSupport`: the `nvidia` RuntimeClass and the NVIDIA device plugin, scheduled only on GPU nodes.

GPU nodes register with `gpu=true` and the taint `gpu=true:NoSchedule` (k8s/kubeadm/registration.py). The
chart's default affinity expects Node Feature Discovery labels, which this cluster does not run, so it is
replaced by the `gpu=true` label. The node layer configures containerd's `nvidia` runtime on those nodes.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from k8s import namespaces
from k8s.helm import Chart, release
from k8s.kubeadm.registration import GPU_LABEL, GPU_TAINT
from k8s.manifest import apply

REPO = "https://nvidia.github.io/k8s-device-plugin"
RUNTIME_CLASS = "nvidia"

GPU_TOLERATION = {"key": GPU_TAINT[0], "operator": "Equal", "value": GPU_TAINT[1], "effect": GPU_TAINT[2]}


def runtime_class() -> dict[str, Any]:
    return {
        "apiVersion": "node.k8s.io/v1",
        "kind": "RuntimeClass",
        "metadata": {"name": RUNTIME_CLASS},
        "handler": RUNTIME_CLASS,
        # Pods asking for this runtime land on GPU nodes and tolerate their taint without saying so themselves.
        "scheduling": {"nodeSelector": {GPU_LABEL[0]: GPU_LABEL[1]}, "tolerations": [GPU_TOLERATION]},
    }


def device_plugin_values() -> dict[str, Any]:
    return {
        "runtimeClassName": RUNTIME_CLASS,
        "nodeSelector": {GPU_LABEL[0]: GPU_LABEL[1]},
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": GPU_LABEL[0], "operator": "In", "values": [GPU_LABEL[1]]}]}
                    ]
                }
            }
        },
        "tolerations": [
            GPU_TOLERATION,
            {"key": "CriticalAddonsOnly", "operator": "Exists"},
            {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
        ],
    }


@dataclass(frozen=True)
class GpuSupportArgs:
    version: str
    provider: k8s.Provider
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)


class GpuSupport(pulumi.ComponentResource):
    release: k8s.helm.v3.Release

    def __init__(self, name: str, args: GpuSupportArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:GpuSupport", name, None, opts)
        runtime = apply("nvidia-runtimeclass", runtime_class(), provider=args.provider, parent=self, depends_on=args.after)
        chart = Chart("nvidia-device-plugin", "nvidia-device-plugin", args.version, REPO, namespaces.NVIDIA_DEVICE_PLUGIN,
                      device_plugin_values(), create_namespace=True)
        self.release = release(chart, provider=args.provider, parent=self, depends_on=[runtime, *args.after])
        self.register_outputs({"version": args.version})
