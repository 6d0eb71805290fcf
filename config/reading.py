"""Read a stack file into plain data without ever raising anything but `ConfigError`.

The file is read once, with a size limit, checked for its encoding (compressed or not UTF-8 is named as
such), and parsed once: events come from libyaml (the C parser) where PyYAML has it, and are composed
here, iteratively, so an absurdly deep file is a message instead of a crash (libyaml's own composer
recurses in C and overflows the stack) and aliases cannot multiply into a billion values.

Scalars that YAML 1.1 (PyYAML, Ansible) and YAML 1.2 (the Pulumi CLI) read differently are kept as the
text the CLI sees: `yes`/`no`/`on`/`off` are text, as in the CLI; base-60 numbers (`12:30`, an unquoted MAC
of digits) and dates become `Ambiguous` text that validation reports with the advice to quote it. Numbers
keep their source text, so a message can say "the unquoted 1.30 reads as the number 1.3".
"""

import datetime
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from config.errors import ConfigError, Violation

MAX_BYTES = 32 * 1024 * 1024  # the 10,000-node benchmark stack is about 3 MiB
MAX_DEPTH = 32  # the stack file nests 6 deep; anything near this is a mistake or an attack
MAX_VALUES = 5_000_000  # values after aliases are expanded (the 10,000-node stack has about 330,000)

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # same interface, C speed
WITH_C_PARSER = _Loader is not yaml.SafeLoader

_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"PK\x03\x04", "zip"),
)
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


class Ambiguous(str):
    """Unquoted text that YAML 1.1 reads as something else (`reading`): quote it so every reader agrees."""

    reading: str

    def __new__(cls, text: str, reading: str) -> "Ambiguous":
        self = super().__new__(cls, text)
        self.reading = reading
        return self

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # copy and pickle keep the reading
        return str(self), self.reading


class YamlInt(int):
    """An int that remembers how it was written (`0x1F`, `1_000`, `007`)."""

    source: str

    def __new__(cls, value: int, source: str) -> "YamlInt":
        self = super().__new__(cls, value)
        self.source = source
        return self

    def __getnewargs__(self) -> tuple[int, str]:  # type: ignore[override]
        return int(self), self.source


class YamlFloat(float):
    """A float that remembers how it was written: `1.30` is 1.3, which a version field must hear about."""

    source: str

    def __new__(cls, value: float, source: str) -> "YamlFloat":
        self = super().__new__(cls, value)
        self.source = source
        return self

    def __getnewargs__(self) -> tuple[float, str]:  # type: ignore[override]
        return float(self), self.source


def scalar_source(value: object) -> str | None:
    """How an unquoted number was written in the file, if it came from one."""
    return value.source if isinstance(value, YamlInt | YamlFloat) else None


class _ReadError(Exception):
    def __init__(self, message: str, mark: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


def _where(mark: Any) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


class _StackLoader(_Loader):  # type: ignore[valid-type,misc]
    """Duplicate keys are errors; scalars read as the Pulumi CLI reads them (see the module doc)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[str] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            shown = f"{key_node.value!r} " if isinstance(key_node, yaml.ScalarNode) else ""
            raise _ReadError(f"the key {shown}is not text (keys are names: quote it)", key_node.start_mark)
        if key in seen:
            raise _ReadError(f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    loader.flatten_mapping(node)
    return loader.construct_mapping(node, deep=True)


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool | str:
    text = str(loader.construct_scalar(node))
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text  # yes/no/on/off: text to the Pulumi CLI (YAML 1.2); a boolean field still accepts it


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str:
    text = str(loader.construct_scalar(node))
    value = yaml.SafeLoader.construct_yaml_int(loader, node)
    if ":" in text:
        return Ambiguous(text, f"the base-60 number {value}")
    return YamlInt(value, text)


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float | str:
    text = str(loader.construct_scalar(node))
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    if ":" in text:
        return Ambiguous(text, f"the base-60 number {value}")
    return YamlFloat(value, text)


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    text = str(loader.construct_scalar(node))
    value = yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    return Ambiguous(text, "a date and time" if isinstance(value, datetime.datetime) else "a date")


_StackLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StackLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_StackLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StackLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_StackLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _events(loader: Any) -> Iterator[Any]:
    while True:
        event = loader.get_event()
        if event is None:
            return
        yield event


def _compose(loader: Any) -> Any:
    """One document's node graph, built without recursion; depth, aliases and size are bounded."""
    anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (node, expanded size), once complete
    open_anchors: set[str] = set()
    # Each open collection: (node, anchor, expanded size so far); a mapping's pending key waits in `keys`.
    stack: list[tuple[Any, str | None, list[int]]] = []
    keys: list[Any] = []
    root: Any = None
    documents = 0

    def attach(node: Any, size: int) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent, _, parent_size = stack[-1]
        parent_size[0] += size
        if parent_size[0] > MAX_VALUES:
            raise _ReadError(f"expands to more than {MAX_VALUES:,} values (aliases repeat data)", node.start_mark)
        if isinstance(parent, yaml.SequenceNode):
            parent.value.append(node)
        elif keys[-1] is None:
            keys[-1] = node
        else:
            parent.value.append((keys[-1], node))
            keys[-1] = None

    for event in _events(loader):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _ReadError("holds more than one YAML document (a second '---')", event.start_mark)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise _ReadError(f"the alias *{event.anchor} refers to the value that contains it", event.start_mark)
            if event.anchor not in anchors:
                raise _ReadError(f"the alias *{event.anchor} names no anchor (&{event.anchor}) before it",
                                 event.start_mark)
            node, size = anchors[event.anchor]
            attach(node, size)
        elif isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            scalar: Any = yaml.ScalarNode  # the stubs know only the pure-Python parser's marks
            node = scalar(tag, event.value, event.start_mark, event.end_mark, style=event.style)
            if event.anchor is not None:
                anchors[event.anchor] = (node, 1)
            attach(node, 1)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _ReadError(f"nests deeper than {MAX_DEPTH} levels (the stack file needs about 6)",
                                 event.start_mark)
            kind: Any = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            collection = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            stack.append((collection, event.anchor, [1]))
            keys.append(None)
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            collection, anchor, expanded = stack.pop()
            keys.pop()
            collection.end_mark = event.end_mark
            if anchor is not None:
                open_anchors.discard(anchor)
                anchors[anchor] = (collection, expanded[0])
            attach(collection, expanded[0])
    return root


def parse_yaml(text: str) -> Any:
    """The document's data. Raises `_ReadError` or `yaml.YAMLError`.

    The cyclic garbage collector is paused meanwhile: the graph has no cycles (recursive aliases are
    refused), and collections triggered by hundreds of thousands of new objects cost more than the parse."""
    loader = _StackLoader(text)
    paused = gc.isenabled()
    gc.disable()
    try:
        node = _compose(loader)
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
        if paused:
            gc.enable()


def _decode(data: bytes) -> str:
    for magic, what in _COMPRESSED:
        if data.startswith(magic):
            raise _ReadError(f"is {what}-compressed, not text: decompress it first")
    for bom, what in _WIDE_BOMS:
        if data.startswith(bom):
            raise _ReadError(f"is saved as {what}: save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start)
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
        raise _ReadError(
            f"is not UTF-8: byte 0x{data[exc.start]:02x} at line {line + 1}, column {column + 1} "
            "(was it saved as Latin-1 or Windows-1252?): save it as UTF-8"
        ) from None


def _hint(problem: str, text: str, mark: Any) -> str:
    """Name the likely cause of a YAML error when the offending character shows it."""
    if mark is None:
        return ""
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in line[: mark.column + 1] or "'\\t'" in problem:
        return "; YAML indents with spaces: this line has a tab"
    return ""


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """The problem and its position, without PyYAML's snippet of the offending line: that line may hold a secret."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position)
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1)
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        return (f"the control character U+{code:04X} at line {line + 1}, column {column + 1} is not allowed "
                "in YAML (is this a binary file?)")
    if not isinstance(exc, yaml.MarkedYAMLError):
        return type(exc).__name__
    mark = exc.problem_mark or exc.context_mark
    context = f" ({exc.context})" if exc.context else ""
    return f"{exc.problem}{_where(mark)}{context}{_hint(str(exc.problem), text, mark)}"


def read_document(path: Path) -> Any:
    """The parsed stack file, or `ConfigError` naming the file and, where there is one, the position."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError([Violation(str(path), f"cannot be read: {exc.strerror or exc}")]) from None
    if len(data) > MAX_BYTES:
        raise ConfigError([Violation(str(path), f"is larger than {MAX_BYTES // (1024 * 1024)} MiB: is it the stack file?")])
    text = ""
    try:
        text = _decode(data)
        return parse_yaml(text)
    except _ReadError as exc:
        prefix = "is not valid YAML: " if exc.mark is not None else ""
        raise ConfigError([Violation(str(path), f"{prefix}{exc.message}{_where(exc.mark)}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Violation(str(path), f"is not valid YAML: {_yaml_problem(exc, text)}")]) from None
    except RecursionError:  # a guard in depth: _compose bounds depth, so this would be a bug, not a traceback
        raise ConfigError([Violation(str(path), f"nests too deeply (more than {MAX_DEPTH} levels)")]) from None


_DOCUMENT_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")


def read_config(path: Path) -> dict[str, Any]:
    """The `config:` mapping of a stack file: every key as written, namespaces included."""
    import difflib

    document = read_document(path)
    where = str(path)
    if document is None or document == {}:
        raise ConfigError([Violation(where, "is empty: a stack file is a mapping whose config: holds "
                                            "goldentooth:* keys (see Pulumi.goldentooth.yaml)")])
    if not isinstance(document, dict):
        raise ConfigError([Violation(where, "must be a mapping with a config: key (it is a "
                                            f"{'list' if isinstance(document, list) else 'single value'})")])
    problems: list[Violation] = []
    for key in sorted(set(document) - set(_DOCUMENT_KEYS)):
        if ":" in key:
            problems.append(Violation(f"{where}:{key}", "is outside config: (indent it under config:)"))
            continue
        close = difflib.get_close_matches(key, _DOCUMENT_KEYS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else f" (a stack file has {', '.join(_DOCUMENT_KEYS)})"
        problems.append(Violation(f"{where}:{key}", f"is not a stack file key{hint}"))
    if problems:
        raise ConfigError(problems)
    config = document.get("config")
    if config is None:
        raise ConfigError([Violation(f"{where}:config", "is missing or empty: it holds the goldentooth:* keys")])
    if not isinstance(config, dict):
        raise ConfigError([Violation(f"{where}:config", "must be a mapping of namespace:key entries")])
    return config
