"""The Kubernetes apt repository (pkgs.k8s.io, one per minor, deb822 with its keyring, the node's own
architecture) and kubeadm, kubelet and kubectl pinned to the configured version and held."""

import pulumi
from pulumi_command import remote

from components import artifacts
from components.apt import AptSource, package_names, pinned
from components.script import Script
from nodes.os.context import StepContext, after

PACKAGES = ("kubeadm", "kubelet", "kubectl")

_SCRIPT = Script.beside(__file__, "kubernetes_packages.sh")


def kubernetes_repository(minor: str, architecture: str) -> AptSource:
    uri = f"https://pkgs.k8s.io/core:/stable:/v{minor}/deb/"
    # The key sits beside the repository's Release file; joining without a second slash (the Ansible era's
    # ".../deb//Release.key" only worked because the server forgives it).
    return AptSource("kubernetes", uri, "/", (), architecture, f"{uri}Release.key")


def kubernetes_packages_step(ctx: StepContext, *deps: pulumi.Resource | None) -> remote.Command:
    versions = ctx.cluster.versions
    repo = kubernetes_repository(versions.kubernetes_minor, ctx.node.architecture)
    artifacts.record(ctx.name, repo.path, repo.deb822())
    params = {
        **repo.params("GT_K8S"),
        "GT_PACKAGES": pinned({p: versions.kubernetes for p in PACKAGES}),
        "GT_HOLD": package_names(PACKAGES),
        "GT_NODE": ctx.name,
        "GT_VERSION": versions.kubernetes,
        # while set, the installed version may still be this one (k8s/upgrade moves it in order)
        "GT_UPGRADE_FROM": ctx.cluster.kubernetes.upgrade_from or "",
    }
    return ctx.runner.run("kubernetes-packages", _SCRIPT, params, options=after(*deps, timeout="20m"))
