"""Pinned versions of everything the program installs."""

import re

from pydantic import field_validator

from config.base import ConfigModel

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
