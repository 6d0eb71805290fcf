"""SSH targets for every node, from the `ssh` config section and the secret key."""

import os

from components.ssh import Bastion, SshTarget
from config.nodes import NodeSpec
from config.secrets import SecretValues
from config.spec import ClusterSpec


def ssh_target(spec: ClusterSpec, node: NodeSpec, secrets: SecretValues) -> SshTarget:
    ssh = spec.ssh
    bastion = Bastion(ssh.bastion.host, ssh.bastion.user, ssh.bastion.port, ssh.bastion.host_key) if ssh.bastion else None
    agent = (ssh.agent_socket or os.environ.get("SSH_AUTH_SOCK")) if ssh.use_agent else None
    return SshTarget(
        host=str(node.ip),
        user=ssh.user,
        port=ssh.port,
        private_key=None if ssh.use_agent else secrets.output("sshPrivateKey"),
        agent_socket=agent,
        bastion=bastion,
        dial_error_limit=ssh.dial_error_limit,
        per_dial_timeout=ssh.per_dial_timeout,
        host_key=ssh.host_keys.get(node.name),
        generation=spec.lifecycle.generations.get(node.name, 0),
    )
