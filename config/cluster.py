"""Cluster-wide settings that are neither network nor inventory: name, operator, SSH access."""

from pydantic import Field, field_validator

from config.base import ConfigModel
from config.meaning import check_time_zone, host_key_problem, public_key_problem


class ClusterSettings(ConfigModel):
    """`goldentooth:cluster`."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    timezone: str = Field(pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")
    operator_user: str = Field(pattern=r"^[a-z_][a-z0-9_-]*$")
    operator_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    # Public keys the operator logs in with (one `type base64 [comment]` line each). Empty: the operator's
    # authorized_keys is left as it is (the live cluster's came from the Ansible vault).
    operator_authorized_keys: tuple[str, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _in_tz_database(cls, value: str) -> str:
        return check_time_zone(value)

    @field_validator("operator_authorized_keys")
    @classmethod
    def _public_keys(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        for i, key in enumerate(keys):
            problem = public_key_problem(key)
            if problem:
                raise ValueError(f"entry {i} {problem}")
        return tuple(k.strip() for k in keys)


class BastionSpec(ConfigModel):
    host: str
    user: str
    port: int = Field(default=22, ge=1, le=65535)
    host_key: str | None = None  # "ssh-ed25519 AAAA...": the bastion's key, pinned like the nodes' (ssh.hostKeys)

    @field_validator("host_key")
    @classmethod
    def _public_key(cls, key: str | None) -> str | None:
        problem = None if key is None else host_key_problem(key)
        if problem:
            raise ValueError(problem)
        return key


class SshSpec(ConfigModel):
    """`goldentooth:ssh`. With `useAgent`, the key stays in the agent and never enters state."""

    user: str = "root"
    port: int = Field(default=22, ge=1, le=65535)
    use_agent: bool = False
    agent_socket: str | None = None  # defaults to $SSH_AUTH_SOCK when use_agent is set
    bastion: BastionSpec | None = None
    dial_error_limit: int = Field(default=10, ge=-1)
    per_dial_timeout: int = Field(default=15, ge=1)
    host_keys: dict[str, str] = Field(default_factory=dict)  # node name -> "ssh-ed25519 AAAA..." to pin
    # Every connection must verify its host's key: a node (or bastion) without a pinned key is a config error.
    # Off by default, because the real stack's keys are not recorded yet (README: collect them with ssh-keyscan
    # from a trusted network, compare with each node's console, then turn this on).
    require_host_keys: bool = False
