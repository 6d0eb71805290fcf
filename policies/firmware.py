"""Raspberry Pi overclock settings as a program would hand them to a node, and the model they apply to.

Settings are read from `config.txt` text (on stdin or in the script: `arm_freq=2000` lines, honouring the
`[pi4]`/`[pi5]`/`[all]` conditional sections the firmware honours) and from the step header parameters
`GT_ARM_FREQ` / `GT_OVER_VOLTAGE`. The model comes from a `GT_MODEL` header parameter, else the node.
"""

import re
from dataclasses import dataclass

from policies.common import code
from policies.stack_view import header_params

SETTING_PARAMS = {"GT_ARM_FREQ": "arm_freq", "GT_OVER_VOLTAGE": "over_voltage"}
MODEL_PARAMS = ("GT_MODEL", "GT_HARDWARE_MODEL", "GT_PI_MODEL")
_LINE = re.compile(r"^\s*(arm_freq|over_voltage)\s*=\s*(-?\d+)\s*(?:#.*)?$")
_SECTION = re.compile(r"^\s*\[([a-z0-9]+)\]\s*$")
# config.txt filters naming a board family; any other filter ([all], [gpio...], [0x...]) applies to every board.
FAMILY_FILTERS = {"pi4": "pi4", "pi400": "pi4", "cm4": "pi4", "cm4s": "pi4", "pi5": "pi5", "pi500": "pi5", "cm5": "pi5"}


@dataclass(frozen=True)
class Setting:
    name: str  # arm_freq | over_voltage
    value: int
    family: str | None  # "pi4"/"pi5" when set under such a [filter]; None when it applies to any board


def config_txt_settings(text: str) -> list[Setting]:
    found = []
    family: str | None = None
    skipped = False
    for line in text.splitlines():
        section = _SECTION.match(line)
        if section:
            name = section.group(1)
            skipped = name == "none"
            family = FAMILY_FILTERS.get(name)
            continue
        match = _LINE.match(line)
        if match and not skipped:
            found.append(Setting(match.group(1), int(match.group(2)), family))
    return found


def step_settings(create: str, stdin: str) -> list[Setting]:
    params = header_params(create)
    found = [Setting(SETTING_PARAMS[p], int(v), None) for p, v in params.items() if p in SETTING_PARAMS and _int(v)]
    return found + config_txt_settings(stdin) + config_txt_settings(code(create))


def step_model(create: str) -> str | None:
    params = header_params(create)
    return next((params[p] for p in MODEL_PARAMS if params.get(p)), None)


def family(model: str) -> str | None:
    return next((f for f in ("pi4", "pi5") if model.startswith(f)), None)


def _int(value: str) -> bool:
    return re.fullmatch(r"-?\d+", value) is not None
