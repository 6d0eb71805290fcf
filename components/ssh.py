"""How the program reaches a host: user, key or agent, optional bastion, dial limits."""

from dataclasses import dataclass

import pulumi
from pulumi_command import remote


@dataclass(frozen=True)
class Bastion:
    host: str
    user: str
    port: int = 22
    host_key: str | None = None


@dataclass(frozen=True)
class SshTarget:
    """One host's SSH endpoint. `private_key` is a secret Output, or None when an agent is used."""

    host: str
    user: str
    port: int = 22
    private_key: pulumi.Output[str] | None = None
    agent_socket: str | None = None
    bastion: Bastion | None = None
    dial_error_limit: int = 10
    per_dial_timeout: int = 15
    host_key: str | None = None
    generation: int = 0  # which incarnation of the host (goldentooth rebuild): a new one re-runs its steps

    @property
    def needs_sudo(self) -> bool:
        return self.user != "root"

    def with_unlimited_dials(self) -> "SshTarget":
        """A copy that keeps dialling forever: for the step that waits out a reboot."""
        return SshTarget(
            self.host, self.user, self.port, self.private_key, self.agent_socket, self.bastion,
            -1, self.per_dial_timeout, self.host_key, self.generation,
        )

    def connection(self) -> remote.ConnectionArgs:
        proxy = None
        if self.bastion is not None:
            proxy = remote.ProxyConnectionArgs(
                host=self.bastion.host,
                user=self.bastion.user,
                port=self.bastion.port,
                host_key=self.bastion.host_key,
                private_key=self.private_key,
                agent_socket_path=self.agent_socket,
            )
        return remote.ConnectionArgs(
            host=self.host,
            user=self.user,
            port=self.port,
            private_key=self.private_key,
            agent_socket_path=self.agent_socket,
            dial_error_limit=self.dial_error_limit,
            per_dial_timeout=self.per_dial_timeout,
            host_key=self.host_key,
            proxy=proxy,
        )
