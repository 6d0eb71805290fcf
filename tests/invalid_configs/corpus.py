"""Load the invalid-config corpus and materialise each case as a stack file.

A case is either a list of data edits to the real `Pulumi.goldentooth.yaml` (`edits:`) or, for what data
cannot express (a duplicate YAML key), a short literal stack file (`stack:`). Every stack file written here
carries the test secrets, so a test can check that no message ever shows one.

Edit paths start with the config key and walk down with dots: `goldentooth:nodes.karstark.ip`. On a list,
a segment is an index or the `name` of an entry. Values may use `{TEST_SECRET:<key>}` to paste a secret.
An edit with `unquoted: true` writes its (text) value without quotes, as a person typing it would, so YAML
reads it as it pleases (`12:30`, `1.30`). A case may say how the file is stored: `encoding` (a Python codec
name, default utf-8) or `compress: gzip`.
"""

import copy
import gzip
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from tests.conftest import STACK_FILE, TEST_SECRETS

CORPUS_DIR = Path(__file__).resolve().parent
_SECRET_TOKEN = re.compile(r"\{TEST_SECRET:([A-Za-z0-9]+)\}")
Mode = Literal["plan", "pulumi-up"]


@dataclass(frozen=True)
class Case:
    name: str  # the file's stem: the rule it breaks
    rule: str
    mode: Mode  # plan: `goldentooth plan` must reject it; pulumi-up: only `load(..., require_secrets=True)` must
    edits: tuple[Mapping[str, Any], ...]
    stack: str | None
    omit_secrets: tuple[str, ...]
    expect: tuple[str, ...]  # exact report lines, `path: message`; `{stack}` is the stack file's path
    encoding: str = "utf-8"
    compress: str | None = None

    def expected(self, stack_file: Path) -> list[str]:
        return sorted(line.replace("{stack}", str(stack_file)) for line in self.expect)

    def write(self, directory: Path) -> Path:
        """The case as a stack file under `directory`."""
        path = directory / f"Pulumi.{self.name}.yaml"
        if self.stack is not None:
            text = _paste_secrets(self.stack)
        else:
            config = real_config()
            for edit in self.edits:
                apply_edit(config, edit)
            for key, value in TEST_SECRETS.items():
                if key not in self.omit_secrets:
                    config[f"goldentooth:{key}"] = value
            text = yaml.safe_dump({"config": config}, allow_unicode=True, sort_keys=False)
            for edit in self.edits:
                if edit.get("unquoted"):
                    quoted = yaml.safe_dump(str(edit["value"])).removesuffix("\n...\n").strip()
                    assert quoted in text, f"{self.name}: {quoted} not in the dumped stack"
                    text = text.replace(quoted, str(edit["value"]))
        data = text.encode(self.encoding)
        path.write_bytes(gzip.compress(data, mtime=0) if self.compress == "gzip" else data)
        return path


def real_config() -> dict[str, Any]:
    document = yaml.safe_load(STACK_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and isinstance(document.get("config"), dict)
    return copy.deepcopy(document["config"])


def _paste_secrets(value: Any) -> Any:
    if isinstance(value, str):
        return _SECRET_TOKEN.sub(lambda m: TEST_SECRETS[m.group(1)], value)
    if isinstance(value, list):
        return [_paste_secrets(v) for v in value]
    if isinstance(value, dict):
        return {k: _paste_secrets(v) for k, v in value.items()}
    return value


def _step(container: Any, segment: str) -> Any:
    if isinstance(container, list):
        if segment.isdigit():
            return container[int(segment)]
        matches = [item for item in container if isinstance(item, dict) and item.get("name") == segment]
        if len(matches) != 1:
            raise KeyError(f"no single list entry named {segment!r}")
        return matches[0]
    if isinstance(container, dict):
        return container[segment]
    raise KeyError(f"cannot step into {type(container).__name__} with {segment!r}")


def _locate(config: dict[str, Any], path: str) -> tuple[Any, str]:
    """The container holding the last segment of `path`, and that segment."""
    segments = path.split(".")
    container: Any = config
    for segment in segments[:-1]:
        container = _step(container, segment)
    return container, segments[-1]


def _key_of(container: Any, segment: str) -> Any:
    if isinstance(container, list):
        if segment.isdigit():
            return int(segment)
        target = _step(container, segment)
        return next(i for i, item in enumerate(container) if item is target)
    return segment


def apply_edit(config: dict[str, Any], edit: Mapping[str, Any]) -> None:
    """`set` (creates a missing mapping key), `append` or `remove` (a value of a list) or `delete`, each with a path."""
    ops = [op for op in ("set", "append", "remove", "delete") if op in edit]
    if set(edit) - {"set", "append", "remove", "delete", "value", "unquoted"}:
        raise ValueError(f"unknown edit keys: {dict(edit)}")
    if len(ops) != 1:
        raise ValueError(f"an edit needs exactly one of set/append/remove/delete: {dict(edit)}")
    op = ops[0]
    container, last = _locate(config, str(edit[op]))
    if op == "delete":
        del container[_key_of(container, last)]
    elif op == "append":
        _step(container, last).append(_paste_secrets(edit["value"]))
    elif op == "remove":
        _step(container, last).remove(edit["value"])
    elif isinstance(container, dict):
        container[last] = _paste_secrets(edit["value"])
    else:
        container[_key_of(container, last)] = _paste_secrets(edit["value"])


def load_case(path: Path) -> Case:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    allowed = {"rule", "mode", "edits", "stack", "omitSecrets", "expect", "encoding", "compress"}
    if not isinstance(data, dict) or set(data) - allowed or "rule" not in data or not data.get("expect"):
        raise ValueError(f"{path.name}: a case has rule, expect and edits or stack (and optionally mode, omitSecrets)")
    if ("edits" in data) == ("stack" in data):
        raise ValueError(f"{path.name}: give either edits or stack")
    return Case(
        name=path.stem,
        rule=str(data["rule"]),
        mode=data.get("mode", "plan"),
        edits=tuple(data.get("edits") or ()),
        stack=data.get("stack"),
        omit_secrets=tuple(data.get("omitSecrets") or ()),
        expect=tuple(str(e) for e in data["expect"]),
        encoding=str(data.get("encoding", "utf-8")),
        compress=data.get("compress"),
    )


def all_cases() -> list[Case]:
    return [load_case(p) for p in sorted(CORPUS_DIR.glob("*.yaml"))]
