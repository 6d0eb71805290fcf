"""Pinned versions of everything the program installs."""

import re
from collections.abc import Iterator

from pydantic import field_validator

from config.base import ConfigModel
from config.errors import Violation
from config.kubeadm_images import KUBEADM_PAUSE_IMAGES

_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


class VersionsSpec(ConfigModel):
    """`goldentooth:versions`: exact versions, so two runs a month apart install the same thing."""

    kubernetes: str
    containerd: str
    calico: str
    metallb: str
    argocd_chart: str
    external_dns_chart: str
    nvidia_device_plugin: str
    nvidia_container_toolkit: str = "1.17.8"  # GPU nodes' containerd runtime (node layer)

    @field_validator("*")
    @classmethod
    def _exact(cls, value: str) -> str:
        if not _SEMVER.match(value.removeprefix("v")):
            raise ValueError(f"{value!r} is not an exact version (want MAJOR.MINOR.PATCH)")
        return value.removeprefix("v")

    @property
    def kubernetes_minor(self) -> str:
        """`1.32` for `1.32.9`: the pkgs.k8s.io repository is per minor version."""
        major, minor, _ = self.kubernetes.split(".")
        return f"{major}.{minor}"


def runtime_violations(versions: VersionsSpec, *, upgrading: bool) -> Iterator[Violation]:
    """What the node layer needs of the runtime versions: containerd 1.6/1.7 (it renders their config format)
    and a known pause image for the Kubernetes minor (containerd's sandbox_image must match kubeadm's).
    A version outside Kubernetes 1.x during an upgrade is already reported at kubernetes.upgradeFrom."""
    if not versions.containerd.startswith(("1.6.", "1.7.")):
        yield Violation(
            "versions.containerd",
            f"containerd {versions.containerd}: the node layer renders containerd's config format 2 "
            "(containerd 1.6 and 1.7), which containerd 2 replaced",
        )
    minor = versions.kubernetes_minor
    if minor not in KUBEADM_PAUSE_IMAGES and not (upgrading and not minor.startswith("1.")):
        yield Violation(
            "versions.kubernetes",
            f"no known pause image for containerd's sandbox_image on Kubernetes {minor} (known: "
            f"{', '.join(sorted(KUBEADM_PAUSE_IMAGES))}; add it in config/kubeadm_images.py)",
        )
