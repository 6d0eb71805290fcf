"""systemd units on a node: unit-name escaping, and units as parameters for `gt_units_apply` (lib.sh), which
installs them, reloads systemd once, enables and starts (or restarts, when changed) what asks for it.

Unit files travel in the step's generated header (they hold no secrets), so a unit edit changes the step's
script text and therefore its trigger: only the steps whose units changed re-run. A step script calls
`gt_units_apply` wherever it needs its units; `record_units` shows them in `goldentooth render`.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from components import artifacts

UNIT_DIR = "/etc/systemd/system"
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.")


def escape_path(path: str) -> str:
    """`systemd-escape --path`: `/mnt/gpu-storage` -> `mnt-gpu\\x2dstorage`. Mount units must be named so."""
    trimmed = "/".join(part for part in path.split("/") if part)
    if not trimmed:
        return "-"
    out = []
    for index, char in enumerate(trimmed):
        if char == "/":
            out.append("-")
        elif char in _PLAIN and not (index == 0 and char == "."):
            out.append(char)
        else:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
    return "".join(out)


@dataclass(frozen=True)
class Unit:
    """One unit file. `start` also restarts the unit when its file changed while it was running."""

    name: str  # e.g. "mnt-nfs.automount"
    text: str
    enable: bool = False
    start: bool = False

    def __post_init__(self) -> None:
        if "/" in self.name or "." not in self.name:
            raise ValueError(f"{self.name!r} is not a unit file name")
        if not self.text.endswith("\n"):
            raise ValueError(f"unit {self.name} must end with a newline")

    @property
    def path(self) -> str:
        return f"{UNIT_DIR}/{self.name}"


def unit_params(units: Sequence[Unit]) -> dict[str, str]:
    """The header parameters `gt_units_apply` (components/shell/lib.sh) reads."""
    params = {"GT_UNIT_COUNT": str(len(units))}
    for index, unit in enumerate(units):
        params[f"GT_UNIT_{index}_NAME"] = unit.name
        params[f"GT_UNIT_{index}_TEXT"] = unit.text
        params[f"GT_UNIT_{index}_ENABLE"] = "yes" if unit.enable else "no"
        params[f"GT_UNIT_{index}_START"] = "yes" if unit.start else "no"
    return params


def record_units(node: str, units: Sequence[Unit]) -> None:
    for unit in units:
        artifacts.record(node, unit.path, unit.text)

