"""`ClusterAccess`: the admin kubeconfig, read once from the first control plane, and the explicit provider.

Why read kubeadm's admin.conf rather than compose a kubeconfig from our CA and a client cert we sign:
kubeadm renews admin.conf's certificate on every `kubeadm upgrade apply` and binds its group itself, so the
credential stays kubeadm's to manage; a self-signed admin cert would need its own rotation and RBAC binding.
The command's stdout is unknown in a preview and a placeholder offline, so it is never parsed as YAML here:
only the `server:` line is rewritten (a regex inside `apply`), which leaves anything else untouched.
A changed or unknown kubeconfig does not replace Kubernetes resources because `cluster_identifier` is fixed.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.remote_step import StepOptions
from components.script import Script
from k8s.kubeadm.config import PKI_DIR
from nodes.node import Node

_READ = Script.beside(__file__, "read_kubeconfig.sh")
_SERVER = re.compile(r"^(\s*server:\s*)\S+\s*$", re.MULTILINE)


def point_at(kubeconfig: str, server: str) -> str:
    """Every cluster entry's `server:` replaced with `server`; text without one is returned unchanged."""
    return _SERVER.sub(lambda m: f"{m.group(1)}{server}", kubeconfig)


@dataclass(frozen=True)
class ClusterAccessArgs:
    first: Node
    cluster_name: str  # names the provider and fixes its cluster identifier (Pulumi identity, not kubeadm's)
    context: str  # the admin context in admin.conf (kubernetes.kubeconfigContext)
    endpoint: str  # host:port of the API load balancer
    init: pulumi.CustomResource  # the kubeconfig is re-read only when this step re-runs
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)  # every join (and upgrade) before any API use
    reread_on: Sequence[pulumi.Input[str]] = field(default_factory=tuple)  # further triggers, e.g. an upgrade


class ClusterAccess(pulumi.ComponentResource):
    provider: k8s.Provider
    kubeconfig: pulumi.Output[str]  # secret

    def __init__(self, name: str, args: ClusterAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:ClusterAccess", name, None, opts)
        read = args.first.runner_under(self).run(
            "read-kubeconfig",
            _READ,
            {"GT_PKI_DIR": PKI_DIR},
            options=StepOptions(
                depends_on=[args.init, *args.after],
                extra_triggers=[args.init.id, *args.reread_on],
                secret_stdout=True,
                keeps_output=True,  # the provider's kubeconfig
            ),
        )
        server = f"https://{args.endpoint}"
        self.kubeconfig = pulumi.Output.secret(read.stdout.apply(lambda text: point_at(text, server)))
        self.provider = k8s.Provider(
            f"{args.cluster_name}-kubernetes",
            kubeconfig=self.kubeconfig,
            # kubeadm names the admin context after its clusterName; strict mode requires it to be explicit.
            context=args.context,
            # Fixed from day one: a new or unknown kubeconfig must not replace every Kubernetes resource.
            cluster_identifier=args.cluster_name,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"kubeconfig": self.kubeconfig})
