"""Steps every HashiCorp service shares: its pinned packages from HashiCorp's repository, configuration files
that flag a restart when they change, and the start-or-restart step that waits for the quorum."""

from collections.abc import Mapping, Sequence

import pulumi
from pulumi_command import remote

from components import artifacts
from components.apt import AptSource, package_names, pinned
from components.remote_file import FileSpec, write_file
from components.remote_step import StepOptions, StepRunner
from components.script import Script, digest
from config.nodes import NodeSpec
from nodes.os.distro import distro

_REPOSITORY = Script.beside(__file__, "repository.sh")
_INSTALL = Script.beside(__file__, "install.sh")
_RESTART = Script.beside(__file__, "rolling_restart.sh")
RESTART_FLAGS = "/var/lib/goldentooth/restart"
HASHICORP_REPOSITORY = "https://apt.releases.hashicorp.com"


def hashicorp_repository(node: NodeSpec) -> AptSource:
    return AptSource(
        "hashicorp", HASHICORP_REPOSITORY, distro(node.os).codename, ("main",), node.architecture,
        f"{HASHICORP_REPOSITORY}/gpg",
    )


def repository(runner: StepRunner, node: NodeSpec, after: Sequence[pulumi.Resource]) -> remote.Command:
    """`hashicorp-repository`: HashiCorp's apt source on the node, once for all three services."""
    repo = hashicorp_repository(node)
    artifacts.record(node.name, repo.path, repo.deb822())
    return runner.run("hashicorp-repository", _REPOSITORY, repo.params("GT"), options=StepOptions(depends_on=after))


def install(
    runner: StepRunner, name: str, packages: Mapping[str, str | None], after: Sequence[pulumi.Resource]
) -> remote.Command:
    """`<name>-packages`: `packages` pinned (None: the repository's version) and held; `after` holds the node's
    repository step."""
    held = [p for p, version in packages.items() if version is not None]
    params = {"GT_PACKAGES": pinned(packages), "GT_HOLD": package_names(held)}
    return runner.run(f"{name}-packages", _INSTALL, params, options=StepOptions(depends_on=after, timeout="20m"))


def flag_restart(unit: str) -> str:
    """`on_change` of a configuration file: the unit's restart step restarts it once, even after a reboot."""
    return f"install -d -m 0755 {RESTART_FLAGS} && touch {RESTART_FLAGS}/{unit}"


def config_file(
    runner: StepRunner,
    name: str,
    spec: FileSpec,
    *,
    unit: str,
    after: Sequence[pulumi.Resource],
    secrets: Mapping[str, pulumi.Output[str]] | None = None,
) -> remote.Command:
    flagged = FileSpec(spec.path, spec.content, spec.mode, spec.owner, spec.group, spec.validate, flag_restart(unit))
    return write_file(runner, name, flagged, secrets=secrets, options=StepOptions(depends_on=after))


def restart(
    runner: StepRunner,
    name: str,
    *,
    unit: str,
    state: str,
    health: str,
    after: Sequence[pulumi.Resource],
    triggers: Sequence[pulumi.Input[str]] = (),
    timeout_seconds: int = 600,
) -> remote.Command:
    """`<name>-restart`: start the unit, or restart it after a configuration change, then wait for `health`.

    `triggers` are the digests of the configuration it runs with (`content_digest`), so Pulumi re-runs this step
    exactly when a file it reads changed."""
    params = {"GT_UNIT": unit, "GT_STATE": state, "GT_HEALTH": health, "GT_TIMEOUT": str(timeout_seconds)}
    return runner.run(
        f"{name}-restart", _RESTART, params,
        options=StepOptions(depends_on=after, extra_triggers=triggers, timeout=f"{timeout_seconds // 60 + 5}m"),
    )


def content_digest(spec: FileSpec, secrets: Mapping[str, pulumi.Output[str]] | None = None) -> pulumi.Output[str]:
    """A digest of a file's final content, secrets included, so a rotated key or token restarts the agent too.

    Plain on purpose: the secrets here are random keys and tokens of 122 bits or more, whose SHA-256 (taken over
    the whole file) tells nothing about them, and a trigger must not be a secret (the policy pack's rule)."""
    if not secrets:
        return pulumi.Output.from_input(digest(spec.content))
    keys = sorted(secrets)
    combined = pulumi.Output.all(*(secrets[k] for k in keys)).apply(
        lambda values: digest(spec.content + "\0" + "\0".join(values))
    )
    return pulumi.Output.unsecret(combined)
