"""`ControlPlaneJoin` and `WorkerJoin`: one node joining through the load balancer with the fixed token and CA pin.

Before each join the first control-plane node refreshes what expires (the bootstrap token after 24 h, the
uploaded control-plane certificates after 2 h), so a join months after init works the same as on day one.
The join itself is skipped on a node that already belongs; nothing is ever reset.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_command import remote

from components.remote_file import FileSpec, write_file
from components.remote_step import StepOptions, StepRunner
from components.script import Script
from k8s.kubeadm.config import (
    BOOTSTRAP_TOKEN,
    CA_CERT_HASH,
    CERTIFICATE_KEY,
    INIT_CONFIG_PATH,
    JOIN_CONFIG_PATH,
    KubeadmSettings,
    join_config,
)
from k8s.kubeadm.registration import Registration
from k8s.pki import ClusterPki
from nodes.node import Node

_JOIN = Script.beside(__file__, "join.sh")
_REFRESH_TOKEN = Script.beside(__file__, "refresh_token.sh")
_UPLOAD_CERTS = Script.beside(__file__, "upload_certs.sh")


@dataclass(frozen=True)
class JoinArgs:
    node: Node
    first: Node  # the init node: it refreshes the token (and certificates) for this join
    settings: KubeadmSettings
    registration: Registration
    pki: ClusterPki
    after: Sequence[pulumi.Resource] = field(default_factory=tuple)  # init, or the previous control-plane join


def _refresh_token(first: StepRunner, args: JoinArgs) -> remote.Command:
    return first.run(
        f"bootstrap-token-for-{args.node.spec.name}",
        _REFRESH_TOKEN,
        {"GT_FOR": args.node.spec.name},
        stdin=args.pki.bootstrap_token.apply(lambda t: t + "\n"),
        secret=True,
        options=StepOptions(depends_on=list(args.after)),
    )


def _join(runner: StepRunner, args: JoinArgs, *, control_plane: bool, before: Sequence[pulumi.Resource]) -> remote.Command:
    secrets = {BOOTSTRAP_TOKEN: args.pki.bootstrap_token, CA_CERT_HASH: args.pki.ca_cert_hash}
    if control_plane:
        secrets[CERTIFICATE_KEY] = args.pki.certificate_key
    config = write_file(
        runner,
        "kubeadm-join-config",
        FileSpec(JOIN_CONFIG_PATH, join_config(args.settings, args.registration, control_plane=control_plane), mode="0600"),
        secrets=secrets,
        options=StepOptions(depends_on=list(args.node.os_ready)),
    )
    return runner.run(
        "kubeadm-join",
        _JOIN,
        {
            "GT_CONFIG": JOIN_CONFIG_PATH,
            "GT_ENDPOINT_HOST": args.settings.endpoint_host,
            "GT_ENDPOINT_PORT": str(args.settings.endpoint_port),
        },
        options=StepOptions(depends_on=[config, *before, *args.node.os_ready], secret_stdout=True, timeout="20m"),
    )


class ControlPlaneJoin(pulumi.ComponentResource):
    step: remote.Command
    node: str

    def __init__(self, name: str, args: JoinArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:ControlPlaneJoin", name, None, opts)
        self.node = args.node.spec.name
        first = args.first.runner_under(self)
        certs = first.run(
            f"upload-certs-for-{args.node.spec.name}",
            _UPLOAD_CERTS,
            {"GT_CONFIG": INIT_CONFIG_PATH, "GT_FOR": args.node.spec.name},
            options=StepOptions(depends_on=list(args.after), secret_stdout=True),
        )
        token = _refresh_token(first, args)
        self.step = _join(args.node.runner_under(self), args, control_plane=True, before=[certs, token])
        self.register_outputs({"node": args.node.spec.name})


class WorkerJoin(pulumi.ComponentResource):
    step: remote.Command
    node: str

    def __init__(self, name: str, args: JoinArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:k8s:WorkerJoin", name, None, opts)
        self.node = args.node.spec.name
        token = _refresh_token(args.first.runner_under(self), args)
        self.step = _join(args.node.runner_under(self), args, control_plane=False, before=[token])
        self.register_outputs({"node": args.node.spec.name})
