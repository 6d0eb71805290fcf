"""Storage steps' scripts: the step's own `.sh` with the disk helpers (disks.bash) in front of its body."""

from dataclasses import dataclass
from pathlib import Path

from components.script import Script

_DISKS = Path(__file__).with_name("disks.bash")


@dataclass(frozen=True)
class DiskScript(Script):
    """A script that may touch data disks: disks.bash's helpers (without its shellcheck directive) come first."""

    @property
    def body(self) -> str:
        helpers = _DISKS.read_text(encoding="utf-8").split("\n", 1)[1]
        own = super().body
        own = own.split("\n", 1)[1] if own.startswith("#!") else own
        return helpers + "\n" + own


def disk_script(module_file: str, name: str) -> DiskScript:
    return DiskScript(Script.beside(module_file, name).path)
