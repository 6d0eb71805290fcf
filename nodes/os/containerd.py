"""containerd: Docker's `containerd.io` build at the configured version (the only package that offers an exact
1.7.x on both Raspberry Pi OS and Ubuntu), held, with apt allowed nothing else from Docker's repository, and our
own config.toml."""

import pulumi
from pulumi_command import remote

from components import artifacts
from components.apt import AptSource, pinned
from components.script import Script
from nodes.os.containerd_config import CONFIG_PATH, containerd_config
from nodes.os.context import StepContext, after
from nodes.os.distro import distro

PACKAGE = "containerd.io"
PIN_FILE = "/etc/apt/preferences.d/goldentooth-docker"
PIN = """\
# goldentooth (managed): containerd.io is the only package apt may take from Docker's repository.
Package: containerd.io
Pin: origin download.docker.com
Pin-Priority: 500

Package: *
Pin: origin download.docker.com
Pin-Priority: -1
"""

_SCRIPT = Script.beside(__file__, "containerd.sh")


def docker_repository(vendor: str, codename: str, architecture: str) -> AptSource:
    uri = f"https://download.docker.com/linux/{vendor}"
    return AptSource("docker", uri, codename, ("stable",), architecture, f"{uri}/gpg")


def containerd_step(ctx: StepContext, *deps: pulumi.Resource | None, nvidia: bool, in_service: str,
                    rolling: bool = False) -> remote.Command:
    """`rolling`: the node's second step, in its rollout window (containerd.sh says why there are two)."""
    os = distro(ctx.node.os)
    repo = docker_repository(os.vendor, os.codename, ctx.node.architecture)
    config = containerd_config(ctx.cluster.versions.kubernetes_minor, nvidia=nvidia)
    if not rolling:  # the same files: recorded once
        artifacts.record(ctx.name, repo.path, repo.deb822())
        artifacts.record(ctx.name, PIN_FILE, PIN)
        artifacts.record(ctx.name, CONFIG_PATH, config)
    params = {
        **repo.params("GT_DOCKER"),
        "GT_DOCKER_PIN_FILE": PIN_FILE,
        "GT_DOCKER_PIN": PIN,
        "GT_PACKAGE": pinned({PACKAGE: ctx.cluster.versions.containerd}),
        "GT_CONFIG_FILE": CONFIG_PATH,
        "GT_CONFIG_TOML": config,
        "GT_IN_SERVICE": in_service,
        "GT_ROLLING": "1" if rolling else "0",
    }
    name = "containerd-rolling" if rolling else "containerd"
    return ctx.runner.run(name, _SCRIPT, params, options=after(*deps, timeout="20m"))
