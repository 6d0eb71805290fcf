"""The NVIDIA container toolkit on GPU nodes (its apt repository is flat and per architecture)."""

import pulumi
from pulumi_command import remote

from components import artifacts
from components.apt import AptSource, package_names, pinned
from components.script import Script
from nodes.os.context import StepContext, after

# The toolkit's packages move in lockstep; pinning both keeps apt from pairing mismatched versions.
PACKAGES = ("nvidia-container-toolkit", "nvidia-container-toolkit-base")

_SCRIPT = Script.beside(__file__, "nvidia.sh")


def nvidia_repository(architecture: str) -> AptSource:
    base = "https://nvidia.github.io/libnvidia-container"
    return AptSource("nvidia-container-toolkit", f"{base}/stable/deb/{architecture}", "/", (), architecture,
                     f"{base}/gpgkey")


def nvidia_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    repo = nvidia_repository(ctx.node.architecture)
    artifacts.record(ctx.name, repo.path, repo.deb822())
    params = {
        **repo.params("GT_NVIDIA"),
        "GT_PACKAGES": pinned({p: ctx.cluster.versions.nvidia_container_toolkit for p in PACKAGES}),
        "GT_HOLD": package_names(PACKAGES),
    }
    return ctx.runner.run("nvidia-runtime", _SCRIPT, params, options=after(*deps, timeout="20m"))
