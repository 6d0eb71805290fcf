"""`ControlPlaneJoin` and `WorkerJoin`: one node joining through the load balancer with the fixed token and CA pin.

Each join is a pair that always runs together, credentials first: on the init node, the join's credentials step
renews what expires (the bootstrap token's expiry, and for a control plane the uploaded certificates, both two
hours), then the join on the node. The credentials step carries the join's own triggers, so whatever re-runs the
join re-runs it first, and the join carries the credentials step's id, so re-running the credentials re-runs the
join: the token and certificates are valid at the moment of every join, however long after init it runs. The
join itself is skipped on a node that already belongs, so a reflashed node (no kubelet.conf) joins again when
the pair re-runs; nothing is ever reset. Secrets reach both nodes on stdin only.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_command import remote

from components import artifacts
from components.remote_file import FileSpec, write_file
from components.remote_step import STEP_DIR, StepOptions, StepRunner
from components.script import Script, digest
from k8s.kubeadm.config import (
    BOOTSTRAP_TOKEN,
    CA_CERT_HASH,
    CERTIFICATE_KEY,
    JOIN_CONFIG_PATH,
    PKI_DIR,
    KubeadmSettings,
    join_config,
)
from k8s.kubeadm.registration import Registration
from k8s.pki import ClusterPki
from nodes.node import Node

_JOIN = Script.beside(__file__, "join.sh")
_CREDENTIALS = Script.beside(__file__, "credentials.sh")


@dataclass(frozen=True)
class JoinArgs:
    node: Node
    first: Node  # the init node: it renews the token (and certificates) for this join
    settings: KubeadmSettings
    registration: Registration
    pki: ClusterPki
    ca_cert_hash: pulumi.Output[str]  # secret: the pin the init step read back from the init node's CA
    init: pulumi.Resource  # `kubeadm init`: the credentials need the cluster
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)  # e.g. the previous control-plane join


def after_last_boot(node: Node) -> list[pulumi.Resource]:
    """What a step that only places a file waits for: a fresh node's reboot (a step cut by a reboot would fail),
    not its whole OS, so the bootstrap's files are ready by the time kubeadm is. (A node in service reboots in its
    rollout window, which starts after every bootstrap step.)"""
    return [node.reboot_check.fresh_wait] if node.reboot_check is not None else list(node.booted)


def credentials_step_name(node: str) -> str:
    return f"join-credentials-for-{node}"


def _join_pair(parent: pulumi.Resource, args: JoinArgs, *, control_plane: bool) -> remote.Command:
    runner: StepRunner = args.node.runner_under(parent)
    first = args.first.runner_under(parent)
    name = args.node.spec.name
    secrets = {BOOTSTRAP_TOKEN: args.pki.bootstrap_token, CA_CERT_HASH: args.ca_cert_hash}
    if control_plane:
        secrets[CERTIFICATE_KEY] = args.pki.certificate_key
    template = join_config(args.settings, args.registration, control_plane=control_plane)
    config = write_file(
        runner,
        "kubeadm-join-config",
        FileSpec(JOIN_CONFIG_PATH, template, mode="0600"),
        secrets=secrets,
        options=StepOptions(depends_on=after_last_boot(args.node)),
    )
    credentials_name = credentials_step_name(name)
    join_params = {
        "GT_CONFIG": JOIN_CONFIG_PATH,
        "GT_ENDPOINT_HOST": args.settings.endpoint_host,
        "GT_ENDPOINT_PORT": str(args.settings.endpoint_port),
        "GT_NODE": name,
        "GT_NODE_IP": args.registration.ip,
        "GT_CREDENTIALS": f"{args.first.spec.name}-{credentials_name}",
    }
    join_text = runner.script_text("kubeadm-join", _JOIN, join_params)
    artifacts.record(runner.node, f"{STEP_DIR}/kubeadm-join.sh", join_text, "0755")
    key = args.pki.certificate_key if control_plane else pulumi.Output.from_input("")
    credentials = first.run(
        credentials_name,
        _CREDENTIALS,
        {
            "GT_FOR": name,
            "GT_FOR_IP": args.registration.ip,
            "GT_CONTROL_PLANE": "yes" if control_plane else "no",
            "GT_VERSION": args.settings.version,
            "GT_PKI_DIR": PKI_DIR,
        },
        stdin=pulumi.Output.all(args.pki.bootstrap_token, key).apply(lambda v: f"{v[0]}\n{v[1]}\n"),
        secret=True,
        # The join's script and config are this step's triggers too: what re-runs the join re-runs this first. So
        # is the joining node's generation: a rebuilt node joins with a token and certificate key made just now.
        options=StepOptions(depends_on=[args.init], extra_triggers=[
            digest(join_text), digest(template),
            *([f"joins-generation:{args.node.target.generation}"] if args.node.target.generation else [])]),
    )
    return runner.command(
        "kubeadm-join",
        join_text,
        options=StepOptions(
            depends_on=[config, credentials, *args.after, *args.node.booted],
            extra_triggers=[credentials.id],
            secret_stdout=True,
            timeout="20m",
        ),
    )


class ControlPlaneJoin(pulumi.ComponentResource):
    step: remote.Command
    node: str

    def __init__(self, name: str, args: JoinArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:ControlPlaneJoin", name, None, opts)
        self.node = args.node.spec.name
        self.step = _join_pair(self, args, control_plane=True)
        self.register_outputs({"node": args.node.spec.name})


class WorkerJoin(pulumi.ComponentResource):
    step: remote.Command
    node: str

    def __init__(self, name: str, args: JoinArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:WorkerJoin", name, None, opts)
        self.node = args.node.spec.name
        self.step = _join_pair(self, args, control_plane=False)
        self.register_outputs({"node": args.node.spec.name})
