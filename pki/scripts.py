"""The PKI layer's step scripts: each is its own `.sh` file with pki/lib.sh's helpers put in front of its body."""

from dataclasses import dataclass
from pathlib import Path

from components.script import Script

_LIB = Path(__file__).with_name("lib.sh")
_DIRECTIVE = "# shellcheck shell=bash\n"


@dataclass(frozen=True)
class PkiScript(Script):
    @property
    def body(self) -> str:
        own = super().body
        own = own.split("\n", 1)[1] if own.startswith("#!") else own
        return _LIB.read_text(encoding="utf-8").removeprefix(_DIRECTIVE) + own


def script(name: str) -> PkiScript:
    path = Path(__file__).with_name(name)
    if not path.is_file():
        raise FileNotFoundError(f"remote script {path} does not exist")
    return PkiScript(path)
