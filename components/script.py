"""Static shell scripts that run on nodes, and the generated header that hands them their parameters."""

import hashlib
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_LIB = Path(__file__).with_name("shell") / "lib.sh"
_PARAM_NAME_PREFIX = "GT_"
_LIB_DIRECTIVE = "# shellcheck shell=bash"


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Script:
    """A `.sh` file that lives beside the component using it."""

    path: Path

    @classmethod
    def beside(cls, module_file: str, name: str) -> "Script":
        path = Path(module_file).parent / name
        if not path.is_file():
            raise FileNotFoundError(f"remote script {path} does not exist")
        return cls(path)

    @property
    def body(self) -> str:
        return _read(self.path)

    @property
    def source(self) -> str:
        """The path shown in the generated header, relative to the project root."""
        root = Path(__file__).resolve().parent.parent
        try:
            return str(self.path.resolve().relative_to(root))
        except ValueError:
            return self.path.name


def render(script: Script, params: Mapping[str, str], title: str) -> str:
    """The exact text bash runs: header with quoted parameters, the helper library, then the script body.

    Parameters are sorted so the text (and therefore the step's trigger hash) is a pure function of its inputs.
    """
    lines = [
        "#!/bin/bash",
        f"# goldentooth step {title}: generated from {script.source}; edit that file, not this one.",
        "set -euo pipefail",
        "umask 022",
    ]
    for name in sorted(params):
        if not name.startswith(_PARAM_NAME_PREFIX) or not name.replace("_", "").isalnum() or not name.isupper():
            raise ValueError(f"script parameter {name!r} must be upper case and start with {_PARAM_NAME_PREFIX}")
        if "$" in params[name] or "`" in params[name]:
            # The value is data, single-quoted on purpose: it must not expand here (SC2016 would say it might).
            lines.append("# shellcheck disable=SC2016")
        lines.append(f"export {name}={shlex.quote(params[name])}")
    return "\n".join(lines) + "\n" + library_text() + "\n" + _strip_shebang(script.body)


def library_text() -> str:
    """lib.sh without its leading `# shellcheck shell=bash` line: that directive is for checking the file alone;
    inside a rendered step the shebang above already names the shell."""
    text = _read(_LIB)
    return text.split("\n", 1)[1] if text.startswith(_LIB_DIRECTIVE) else text


def _strip_shebang(body: str) -> str:
    return body.split("\n", 1)[1] if body.startswith("#!") else body


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
