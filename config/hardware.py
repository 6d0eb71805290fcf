"""Hardware models in the zoo and what each can carry (firmware knobs, safe overclock, architecture)."""

from dataclasses import dataclass
from enum import StrEnum


class HardwareModel(StrEnum):
    PI4B_8GB = "pi4b-8gb"
    PI4B_4GB = "pi4b-4gb"
    PI5_8GB = "pi5-8gb"
    X86_64 = "x86-64"


@dataclass(frozen=True)
class Capabilities:
    """Facts about a model; validation and the firmware step read these, nothing hard-codes a model."""

    architecture: str  # Debian architecture name
    is_pi: bool
    ram_gb: int | None
    stock_arm_freq: int | None
    max_arm_freq: int | None  # the highest clock we call safe with the cooling the zoo has
    max_over_voltage: int | None  # None: the firmware has no over_voltage knob for this board
    has_pcie_connector: bool
    has_fan_connector: bool  # Pi 5 has a dedicated, firmware-driven fan header


CAPABILITIES: dict[HardwareModel, Capabilities] = {
    HardwareModel.PI4B_8GB: Capabilities("arm64", True, 8, 1500, 2147, 6, False, False),
    HardwareModel.PI4B_4GB: Capabilities("arm64", True, 4, 1500, 2147, 6, False, False),
    # Pi 5 runs at 2.4 GHz stock; over_voltage is replaced by over_voltage_delta, which we do not expose.
    HardwareModel.PI5_8GB: Capabilities("arm64", True, 8, 2400, 3000, None, True, True),
    HardwareModel.X86_64: Capabilities("amd64", False, None, None, None, None, False, False),
}


def capabilities(model: HardwareModel) -> Capabilities:
    return CAPABILITIES[model]
