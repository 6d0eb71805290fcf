"""`KubeadmInit`: the cluster CA and the init config placed on the first control-plane node, then `kubeadm init`."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_command import remote

from components.remote_file import FileSpec, secret_placeholder, write_file
from components.remote_step import StepOptions
from components.script import Script
from k8s.kubeadm.config import (
    BOOTSTRAP_TOKEN,
    CERTIFICATE_KEY,
    INIT_CONFIG_PATH,
    PKI_DIR,
    KubeadmSettings,
    init_config,
)
from k8s.kubeadm.registration import Registration
from k8s.pki import ClusterPki
from nodes.node import Node

_INIT = Script.beside(__file__, "init.sh")
CA_CERT = "CA_CERT"
CA_KEY = "CA_KEY"


@dataclass(frozen=True)
class KubeadmInitArgs:
    node: Node
    settings: KubeadmSettings
    registration: Registration
    pki: ClusterPki
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)  # e.g. the load balancer being ready


class KubeadmInit(pulumi.ComponentResource):
    step: remote.Command  # `kubeadm init` (a no-op when the cluster exists)

    def __init__(self, name: str, args: KubeadmInitArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        node = args.node
        super().__init__("goldentooth:k8s:KubeadmInit", name, None, opts)
        runner = node.runner_under(self)
        first = StepOptions(depends_on=[*node.os_ready, *args.after])
        ca_cert = write_file(
            runner,
            "kubernetes-ca-cert",
            FileSpec(f"{PKI_DIR}/ca.crt", secret_placeholder(CA_CERT)),
            secrets={CA_CERT: args.pki.ca_cert_pem},
            options=first,
        )
        ca_key = write_file(
            runner,
            "kubernetes-ca-key",
            FileSpec(f"{PKI_DIR}/ca.key", secret_placeholder(CA_KEY), mode="0600"),
            secrets={CA_KEY: args.pki.ca_key_pem},
            options=first,
        )
        config = write_file(
            runner,
            "kubeadm-init-config",
            FileSpec(INIT_CONFIG_PATH, init_config(args.settings, args.registration), mode="0600"),
            secrets={BOOTSTRAP_TOKEN: args.pki.bootstrap_token, CERTIFICATE_KEY: args.pki.certificate_key},
            options=first,
        )
        # Its output prints join commands with the token and the certificate key: keep stdout secret.
        # Init bootstraps etcd once. It is protected, and its command is frozen after the first run: a later
        # version bump or config edit goes through KubernetesUpgrade, never through a replaced init.
        self.step = runner.run(
            "kubeadm-init",
            _INIT,
            {"GT_CONFIG": INIT_CONFIG_PATH, "GT_VERSION": args.settings.version},
            options=StepOptions(
                depends_on=[ca_cert, ca_key, config],
                secret_stdout=True,
                timeout="20m",
                protect=True,
                ignore_changes=("create", "triggers"),
            ),
        )
        self.register_outputs({"node": node.spec.name})
