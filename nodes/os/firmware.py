"""Raspberry Pi firmware settings (`/boot/firmware/config.txt`): what each board gets, and the step that writes it.

When a node's `firmware` is unset, the settings follow from its hardware model's capabilities:
- a board whose stock clock is below the cluster's overclock and whose safe maximum reaches it (Pi 4B) runs at
  2000 MHz with over_voltage=6 and arm_boost; a board already faster (Pi 5, 2400 MHz stock) keeps its stock clock;
- a board without a dedicated fan header (Pi 4B) drives its fan from GPIO 14 with the gpio-fan overlay, switching
  on at 60 °C; the overlay counts millidegrees, so that is temp=60000 (the Ansible era wrote temp=60: 0.06 °C);
- a board with a PCIe connector (Pi 5, NVMe) enables it at Gen 2, the officially supported speed: Gen 3 is
  an explicit `pcieGen: 3` in config, never a commented-out line;
- Wi-Fi is off on every Pi (the wired interface is primary).
When `firmware` is set, it is the complete description: a None field is left to the board's own default.
"""

from typing import Literal

import pulumi

from components.script import Script
from config.hardware import Capabilities
from config.nodes import FanSpec, FirmwareSpec, NodeSpec
from nodes.os.context import BootFileStep, StepContext, after, boot_file_step

CONFIG_TXT = "/boot/firmware/config.txt"
BEGIN = "# BEGIN goldentooth firmware (managed by Pulumi; edits here are overwritten)"
END = "# END goldentooth firmware"
# Keys the managed block owns: active lines setting them elsewhere in config.txt are commented out.
OWNED_KEYS = (
    "arm_freq", "over_voltage", "arm_boost", "dtoverlay=gpio-fan", "dtoverlay=disable-wifi",
    "dtparam=pciex1", "dtparam=pciex1_gen", "dtparam=nvme",
)

CLUSTER_OVERCLOCK_MHZ = 2000
CLUSTER_OVER_VOLTAGE = 6
FAN_GPIO_PIN = 14
FAN_ON_MILLICELSIUS = 60_000
DEFAULT_PCIE_GEN: Literal[2, 3] = 2  # the Pi 5's supported speed; Gen 3 only when config says so

_SCRIPT = Script.beside(__file__, "firmware.sh")


def default_firmware(caps: Capabilities) -> FirmwareSpec:
    overclock = (
        caps.stock_arm_freq is not None
        and caps.max_arm_freq is not None
        and caps.stock_arm_freq < CLUSTER_OVERCLOCK_MHZ <= caps.max_arm_freq
    )
    return FirmwareSpec(
        arm_freq=CLUSTER_OVERCLOCK_MHZ if overclock else None,
        over_voltage=CLUSTER_OVER_VOLTAGE if overclock and caps.max_over_voltage is not None else None,
        arm_boost=True if overclock else None,
        fan=None if caps.has_fan_connector else FanSpec(gpio_pin=FAN_GPIO_PIN, temp_millicelsius=FAN_ON_MILLICELSIUS),
        disable_wifi=True,
        pcie_x1=True if caps.has_pcie_connector else None,
        pcie_gen=DEFAULT_PCIE_GEN if caps.has_pcie_connector else None,
    )


def effective_firmware(node: NodeSpec) -> FirmwareSpec | None:
    """None for a node without Raspberry Pi firmware."""
    if not node.is_pi:
        return None
    return node.firmware if node.firmware is not None else default_firmware(node.caps)


def config_lines(fw: FirmwareSpec) -> list[str]:
    lines = []
    if fw.arm_freq is not None:
        lines.append(f"arm_freq={fw.arm_freq}")
    if fw.over_voltage is not None:
        lines.append(f"over_voltage={fw.over_voltage}")
    if fw.arm_boost is not None:
        lines.append(f"arm_boost={int(fw.arm_boost)}")
    if fw.fan is not None:
        lines.append(f"dtoverlay=gpio-fan,gpiopin={fw.fan.gpio_pin},temp={fw.fan.temp_millicelsius}")
    if fw.disable_wifi:
        lines.append("dtoverlay=disable-wifi")
    if fw.pcie_x1:
        lines.append("dtparam=pciex1")
        lines.append(f"dtparam=pciex1_gen={fw.pcie_gen or DEFAULT_PCIE_GEN}")
    elif fw.pcie_x1 is False:
        lines.append("dtparam=pciex1=off")
    return lines


def block(node: NodeSpec, fw: FirmwareSpec) -> str:
    # Settings that equal the board's defaults are the defaults, however config spells them: writing them out
    # explicitly must not change config.txt (nor reboot the node) for a comment line.
    explicit = node.firmware is not None and fw != default_firmware(node.caps)
    origin = "nodes." + node.name + (".firmware" if explicit else f" (defaults for {node.model})")
    return "\n".join([BEGIN, f"# from {origin}", "[all]", *config_lines(fw), END]) + "\n"


def firmware_step(ctx: StepContext, fw: FirmwareSpec, *deps: pulumi.Resource | None) -> BootFileStep:
    params = {
        "GT_CONFIG_TXT": CONFIG_TXT,
        "GT_BEGIN": BEGIN,
        "GT_END": END,
        "GT_OWNED_KEYS": " ".join(OWNED_KEYS),
        "GT_BLOCK": block(ctx.node, fw),
    }
    return boot_file_step(ctx, "firmware", _SCRIPT, params, after(*deps))
