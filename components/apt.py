"""Apt repositories and pinned packages, as data for the shell helpers in components/shell/lib.sh.

A repository is a deb822 `.sources` file plus its armored key in `/etc/apt/keyrings` (never `apt-key` or
`trusted.gpg.d`), scoped to the node's own architecture. Steps pass `AptSource.params(prefix)` in their header
and call `gt_apt_source NAME "$<PREFIX>_KEY_URL" "$<PREFIX>_SOURCES"`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

KEYRING_DIR = "/etc/apt/keyrings"
SOURCES_DIR = "/etc/apt/sources.list.d"


@dataclass(frozen=True)
class AptSource:
    name: str  # file stem of the .sources file and the keyring
    uri: str
    suite: str  # "/" for a flat repository
    components: tuple[str, ...]
    architecture: str  # Debian architecture of the node (arm64, amd64)
    key_url: str

    def __post_init__(self) -> None:
        if self.suite.endswith("/") and self.components:
            raise ValueError(f"apt source {self.name}: a flat repository (suite {self.suite!r}) has no components")
        if not self.suite.endswith("/") and not self.components:
            raise ValueError(f"apt source {self.name}: suite {self.suite!r} needs components")

    @property
    def keyring(self) -> str:
        return f"{KEYRING_DIR}/{self.name}.asc"

    @property
    def path(self) -> str:
        return f"{SOURCES_DIR}/{self.name}.sources"

    def deb822(self) -> str:
        lines = [
            "# goldentooth: managed by Pulumi; edits are overwritten",
            "Types: deb",
            f"URIs: {self.uri}",
            f"Suites: {self.suite}",
        ]
        if self.components:
            lines.append(f"Components: {' '.join(self.components)}")
        lines += [f"Architectures: {self.architecture}", f"Signed-By: {self.keyring}"]
        return "\n".join(lines) + "\n"

    def params(self, prefix: str) -> dict[str, str]:
        return {f"{prefix}_KEY_URL": self.key_url, f"{prefix}_SOURCES": self.deb822()}


def pinned(packages: Mapping[str, str | None]) -> str:
    """`{"kubeadm": "1.32.9"}` -> `kubeadm=1.32.9-*`: an exact upstream version with any Debian revision.
    None leaves the version to the distribution (security updates still arrive)."""
    return " ".join(name if version is None else f"{name}={version}-*" for name, version in sorted(packages.items()))


def package_names(packages: Mapping[str, str | None] | Sequence[str]) -> str:
    return " ".join(sorted(packages))
