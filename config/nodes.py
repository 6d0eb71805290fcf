"""One host of the inventory, as data."""

import re
from enum import StrEnum
from ipaddress import IPv4Address
from typing import Literal

from pydantic import Field, field_validator, model_validator

from config.base import ConfigModel
from config.hardware import Capabilities, HardwareModel, capabilities

NODE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


class OsRelease(StrEnum):
    RASPIOS_BOOKWORM = "raspios-bookworm"
    UBUNTU_2404 = "ubuntu-24.04"


class FanSpec(ConfigModel):
    """The `gpio-fan` overlay. Its `temp` is in millidegrees Celsius (60 °C is 60000)."""

    gpio_pin: int = Field(ge=0, le=27)
    temp_millicelsius: int

    @field_validator("temp_millicelsius")
    @classmethod
    def _millidegrees(cls, value: int) -> int:
        if 0 < value < 1000:
            raise ValueError(f"{value} looks like degrees: the overlay counts millidegrees, so {value} °C is {value * 1000}")
        if not 30_000 <= value <= 85_000:
            raise ValueError(f"{value} is outside 30000..85000 (30 °C to 85 °C, in millidegrees)")
        return value


class FirmwareSpec(ConfigModel):
    """Raspberry Pi `config.txt` settings. None means: leave the board's default alone."""

    arm_freq: int | None = Field(default=None, ge=600)
    over_voltage: int | None = Field(default=None, ge=-16)
    arm_boost: bool | None = None
    fan: FanSpec | None = None
    disable_wifi: bool = True
    pcie_x1: bool | None = None
    pcie_gen: Literal[2, 3] | None = None


# Purposes of data disks: each names the storage layer that builds on the disk (storage/). `root` is the OS disk.
DATA_PURPOSES = frozenset({"zfs", "seaweedfs", "ceph"})


class DiskSpec(ConfigModel):
    """A disk of the node. Data disks are named by stable id (/dev/disk/by-id/...; config/storage.py checks)."""

    device: str = Field(pattern=r"^/dev/[A-Za-z0-9/_.:-]+$")
    size_gb: int = Field(gt=0)
    kind: Literal["sd", "nvme", "usb", "ssd", "hdd"]
    purpose: Literal["root", "zfs", "seaweedfs", "ceph", "spare"] | None = None


class MountSpec(ConfigModel):
    """A local filesystem the node relies on (velaryon's /mnt/gpu-storage), mounted by a systemd mount unit.

    Named by filesystem UUID (an existing filesystem) or by stable disk id. A disk with any signature is never
    formatted; one with none is formatted only with `formatIfEmpty` (which needs `device`: an empty disk has no
    filesystem UUID)."""

    path: str = Field(pattern=r"^/(mnt|srv|data)/[A-Za-z0-9._/-]+$")
    uuid: str | None = Field(default=None, pattern=r"^[0-9a-fA-F-]{8,36}$")
    device: str | None = Field(default=None, pattern=r"^/dev/disk/by-(id|path)/[A-Za-z0-9_.:-]+$")
    fstype: Literal["ext4", "xfs"] = "ext4"
    options: str = Field(default="defaults", pattern=r"^[a-z0-9_=,.-]+$")
    format_if_empty: bool = False

    @model_validator(mode="after")
    def _one_name(self) -> "MountSpec":
        if (self.uuid is None) == (self.device is None):
            raise ValueError("give exactly one of uuid (the filesystem's) and device (a /dev/disk/by-id path)")
        if self.format_if_empty and self.device is None:
            raise ValueError("formatIfEmpty needs device: an empty disk has no filesystem UUID to find it by")
        return self


class PromptColours(ConfigModel):
    """`tput setaf` codes for the bash prompt: user, host and working directory."""

    primary: int = Field(ge=0, le=255)
    secondary: int = Field(ge=0, le=255)
    tertiary: int = Field(ge=0, le=255)


class GpuSpec(ConfigModel):
    vendor: Literal["nvidia"]
    model: str


class NodeSpec(ConfigModel):
    """`goldentooth:nodes[i]`."""

    name: str
    mac: str
    ip: IPv4Address
    model: HardwareModel
    os: OsRelease
    ram_gb: int | None = Field(default=None, gt=0)
    interface: str = Field(default="eth0", pattern=r"^[a-z][a-z0-9]{1,14}$")
    # The hour (0-23) unattended-upgrades may reboot this node. Several nodes may share an hour (a large
    # inventory must), but members of one quorum may not (config/rules.py `quorums`).
    host_index: int = Field(ge=0, le=23)
    emoji: str = ""
    prompt: PromptColours | None = None
    disks: tuple[DiskSpec, ...] = ()
    firmware: FirmwareSpec | None = None
    gpu: GpuSpec | None = None
    mounts: tuple[MountSpec, ...] = ()

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NODE_NAME.match(value):
            raise ValueError(f"{value!r} is not a host name (lower-case letters, digits and '-', starting with a letter)")
        return value

    @field_validator("mac", mode="before")
    @classmethod
    def _mac(cls, value: object) -> str:
        text = str(value).strip().lower().replace("-", ":")
        if not MAC.match(text):
            raise ValueError(f"{value!r} is not a MAC address (six hex pairs separated by ':')")
        return text

    @property
    def caps(self) -> Capabilities:
        return capabilities(self.model)

    @property
    def architecture(self) -> str:
        return self.caps.architecture

    @property
    def is_pi(self) -> bool:
        return self.caps.is_pi

    @property
    def memory_gb(self) -> int | None:
        return self.ram_gb if self.ram_gb is not None else self.caps.ram_gb
