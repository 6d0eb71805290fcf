"""`KubeadmInit`: on the init node, look first (adopt the CA or stop), place the init config, then `kubeadm init`.

Only `kubeadm init` waits for the load balancer (`after`): the look and the config wait for the node's boot alone,
so they run while HAProxy is being set up. The CA pin joins use is read back from the node by the init step.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_command import remote

from components.remote_file import FileSpec, write_file
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
from k8s.kubeadm.join import after_last_boot
from k8s.kubeadm.registration import Registration
from k8s.pki import ClusterPki
from nodes.node import Node

_ADOPT = Script.beside(__file__, "adopt.sh")
_INIT = Script.beside(__file__, "init.sh")


@dataclass(frozen=True)
class KubeadmInitArgs:
    node: Node
    settings: KubeadmSettings
    registration: Registration
    pki: ClusterPki
    ca_fingerprint: str | None = None  # kubernetes.caFingerprint: the CA the node must hold, if pinned
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)  # e.g. the load balancer being ready


def ca_pin(init_stdout: str) -> str:
    """The `sha256:<hex>` pin: init.sh prints it as its last line (a placeholder offline passes through)."""
    lines = init_stdout.strip().splitlines()
    return lines[-1].strip() if lines else ""


class KubeadmInit(pulumi.ComponentResource):
    adopt: remote.Command  # the look at the node: the CA adopted or the bootstrap stopped
    step: remote.Command  # `kubeadm init` (a no-op when the cluster exists)
    ca_cert_hash: pulumi.Output[str]  # secret: the pin of the CA on the node, for caCertHashes

    def __init__(self, name: str, args: KubeadmInitArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        node = args.node
        super().__init__("goldentooth:k8s:KubeadmInit", name, None, opts)
        runner = node.runner_under(self)
        self.adopt = runner.run(
            "kubeadm-adopt",
            _ADOPT,
            {
                "GT_NODE": node.spec.name,
                "GT_NODE_IP": args.registration.ip,
                "GT_PKI_DIR": PKI_DIR,
                "GT_CA_FINGERPRINT": args.ca_fingerprint or "",
            },
            options=StepOptions(depends_on=after_last_boot(node)),
        )
        config = write_file(
            runner,
            "kubeadm-init-config",
            FileSpec(INIT_CONFIG_PATH, init_config(args.settings, args.registration), mode="0600"),
            secrets={BOOTSTRAP_TOKEN: args.pki.bootstrap_token, CERTIFICATE_KEY: args.pki.certificate_key},
            options=StepOptions(depends_on=[self.adopt]),
        )
        # Init bootstraps etcd once. It is protected, and its command is frozen after the first run: a later
        # version bump or config edit goes through KubernetesUpgrade, never through a replaced init.
        self.step = runner.run(
            "kubeadm-init",
            _INIT,
            {"GT_CONFIG": INIT_CONFIG_PATH, "GT_VERSION": args.settings.version, "GT_PKI_DIR": PKI_DIR},
            options=StepOptions(
                depends_on=[self.adopt, config, *node.booted, *args.after],
                secret_stdout=True,
                timeout="20m",
                protect=True,
                ignore_changes=("create", "triggers"),
            ),
        )
        self.ca_cert_hash = pulumi.Output.secret(self.step.stdout.apply(ca_pin))
        self.register_outputs({"node": node.spec.name})
