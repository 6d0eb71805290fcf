"""What the program needs to know about each supported OS release."""

from dataclasses import dataclass

from config.nodes import OsRelease


@dataclass(frozen=True)
class Distro:
    vendor: str  # the path segment Docker's apt repository uses: debian, ubuntu
    codename: str
    pi_firmware: bool  # boots through /boot/firmware/config.txt and cmdline.txt


DISTROS: dict[OsRelease, Distro] = {
    # Raspberry Pi OS (64-bit) is Debian arm64 with the Pi's boot partition on top.
    OsRelease.RASPIOS_BOOKWORM: Distro("debian", "bookworm", True),
    OsRelease.UBUNTU_2404: Distro("ubuntu", "noble", False),
}


def distro(release: OsRelease) -> Distro:
    return DISTROS[release]
