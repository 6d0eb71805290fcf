"""Operator-facing messages: pydantic's errors rewritten as the rule and the fix, in the file's own terms.

No pydantic vocabulary reaches the user ("valid dictionary or instance of NetworkSpec" becomes "must be a
mapping of keys"); an unknown key says which key was meant at any depth, or that it belongs one level
down; a value YAML read as something else (an unquoted 1.30, a base-60 MAC, a date) says to quote it; a
name with a look-alike non-ASCII letter or stray spaces says so.
"""

import difflib
import types
import typing
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from config.errors import Violation
from config.reading import Ambiguous, scalar_source

# Patterns of the models' `Field(pattern=...)`, said in words. A pattern missing here is quoted as it is.
PATTERN_WORDS: dict[str, str] = {
    r"^[a-z][a-z0-9-]*$": "lower-case letters, digits and '-', starting with a letter",
    r"^[a-z_][a-z0-9_-]*$": "a Unix user name: lower-case letters, digits, '_' and '-'",
    r"^[^@\s]+@[^@\s]+$": "an email address such as ops@example.net",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "an email address such as ops@example.net",
    r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$": "a tz database name such as Europe/London",
    r"^[a-z]{2}(-[a-z]+)+-\d$": "an AWS region name such as us-east-1",
    r"^Z[A-Z0-9]{1,31}$": "a Route53 zone id such as Z0736727S7ZH91VKK44A",
    r"^[a-z][a-z0-9]{1,14}$": "a network interface name such as eth0",
    r"^/dev/[a-z0-9/]+$": "a device path such as /dev/nvme0n1",
    r"^/[^\s]*$": "an absolute path without spaces",
    r"^/\S*$": "an absolute path without spaces",
    r"^[a-z0-9-]+$": "lower-case letters, digits and '-'",
    r"^[a-z][a-z0-9-]{0,62}$": "a name of lower-case letters, digits and '-', starting with a letter",
    r"^[A-Za-z0-9+=,.@_-]{1,64}$": "an IAM name (up to 64 of letters, digits and +=,.@_-)",
    r"^[A-Za-z0-9/_-]+$": "letters, digits, '/', '_' and '-'",
    r"^[a-z][a-z0-9-]{0,40}$": "a short name of lower-case letters, digits and '-'",
    r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}$": "a GitHub organisation name",
}


def describe(value: object) -> str:
    """What a value is, in YAML's terms."""
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, Ambiguous):
        return f"{str.__repr__(value)}"
    if isinstance(value, int | float):
        return f"the number {scalar_source(value) or value}"
    if isinstance(value, str):
        return f"the text {str.__repr__(value)}"
    if isinstance(value, Mapping):
        return "a mapping of keys"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _unquoted_hint(value: object) -> str:
    """A number or boolean where text was wanted: YAML read an unquoted value, so quote it."""
    if isinstance(value, bool):
        return f"; YAML reads the unquoted {str(value).lower()} as a boolean: quote it if you meant text"
    source = scalar_source(value)
    if source is not None:
        reading = "a number" if source == repr(value) else f"the number {value!r}"
        return f"; YAML reads the unquoted {source} as {reading}: quote it, \"{source}\""
    return ""


def non_ascii_hint(text: str) -> str:
    """Name every non-ASCII character of a name: a look-alike (Cyrillic 'а' for 'a') reads the same."""
    odd = [c for c in dict.fromkeys(text) if not c.isascii()]
    if not odd:
        return ""
    names = ", ".join(f"{c!r} (U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')})" for c in odd)
    return f"; it contains the non-ASCII character{'s' if len(odd) > 1 else ''} {names}, which may look like ASCII"


def _spaces(text: str) -> str | None:
    if text == text.strip():
        return None
    if text[:1].isspace() and text[-1:].isspace():
        return "leading and trailing"
    return "leading" if text[:1].isspace() else "trailing"


def space_hint(text: str) -> str:
    where = _spaces(text)
    return f"; it has {where} whitespace: remove it" if where else ""


def spaced_name(name: str) -> str:
    """A node name written with spaces around it. References are checked against the name without them,
    so this is the one place the mistake is reported."""
    return f"{name!r} has {_spaces(name) or 'surrounding'} whitespace: remove it"


def lookalike(name: str, known: Sequence[str]) -> str | None:
    """The known name that `name` matches once its non-ASCII characters and spaces are ignored."""
    stripped = name.strip()
    for candidate in known:
        if candidate == stripped:
            return candidate
        if len(candidate) == len(stripped) and all(
            a == b or not a.isascii() for a, b in zip(stripped, candidate, strict=True)
        ):
            return candidate
    return None


def unknown_name(name: str, known: Sequence[str], what: str = "a node in the inventory") -> str:
    """`'jаst' is not a node in the inventory` with the reason it does not match and what was meant."""
    message = f"{name!r} is not {what}"
    hint = non_ascii_hint(name) + space_hint(name)
    meant = lookalike(name, known) if hint else None
    if meant is None:
        close = difflib.get_close_matches(name, known, n=1)
        meant = close[0] if close else None
    return f"{message}{hint}" + (f"; did you mean {meant!r}?" if meant else "")


# --- walking the models along an error's location -------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else annotation
    return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _step(annotation: Any, part: str | int) -> Any:
    annotation = _unwrap(annotation)
    model = _model(annotation)
    if model is not None and isinstance(part, str):
        for name, field in model.model_fields.items():
            if part in (name, field.alias):
                return field.annotation
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (tuple, list) and isinstance(part, int) and args:
        return args[0]
    if origin is dict and isinstance(part, str) and len(args) == 2:
        return args[1]
    return None


def keys_of(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _at(root: Any, loc: Sequence[str | int]) -> Any:
    annotation = root
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    return annotation


def closest(key: str, known: Sequence[str]) -> str | None:
    """The known key a typo most likely meant: a close spelling, another case, or a longer/shorter form."""
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return close[0]
    lower = key.lower()
    for candidate in known:
        if candidate.lower() == lower:
            return candidate
    prefixed = [c for c in known if len(c) >= 2 and (lower.startswith(c.lower()) or c.lower().startswith(lower))]
    return max(prefixed, key=len) if len(lower) >= 2 and prefixed else None


def unknown_key_message(root: type[BaseModel], loc: Sequence[str | int]) -> str:
    """`is not a known key`, with the key meant here, or the sub-section the key belongs in."""
    key = loc[-1]
    parent = _model(_at(root, loc[:-1]))
    if parent is None or not isinstance(key, str):
        return "is not a known key"
    known = keys_of(parent)
    meant = closest(key, known)
    if meant:
        return f"is not a known key (did you mean {meant}?)"
    for name, field in parent.model_fields.items():
        child = _model(field.annotation)
        if child is not None and key in keys_of(child):
            return f"is not a known key here: it belongs under {field.alias or name} (indent it)"
    return f"is not a known key (known here: {', '.join(known)})"


def belongs_under(root: type[BaseModel], loc: Sequence[str | int]) -> str | None:
    """The sibling section an unknown key belongs in, if any (`roles.controlPlane` -> `kubernetes`)."""
    parent = _model(_at(root, loc[:-1]))
    if parent is None or not isinstance(loc[-1], str):
        return None
    for name, field in parent.model_fields.items():
        child = _model(field.annotation)
        if child is not None and loc[-1] in keys_of(child):
            return field.alias or name
    return None


# --- pydantic error -> message --------------------------------------------------------------------------


def _bound(error: Mapping[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    words = {"gt": "more than", "ge": "at least", "lt": "less than", "le": "at most"}
    for key, word in words.items():
        if key in ctx:
            return f"must be {word} {ctx[key]}"
    return str(error["msg"])


def _choices(error: Mapping[str, Any]) -> str:
    expected = str((error.get("ctx") or {}).get("expected", ""))
    options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",") if o.strip()]
    message = f"must be one of {', '.join(options)}" if options else "is not one of the allowed values"
    value = error.get("input")
    if isinstance(value, str):
        close = difflib.get_close_matches(value.strip().lower(), options, n=1, cutoff=0.5)
        if close:
            message += f" (did you mean {close[0]}?)"
    return message


def message_for(error: Mapping[str, Any], root: type[BaseModel]) -> str:
    """The operator's message for one pydantic error (its path is formatted by the caller)."""
    kind = str(error["type"])
    value = error.get("input")
    loc = tuple(error["loc"])
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return unknown_key_message(root, loc)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping of keys, not {describe(value)}"
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"must be a list, not {describe(value)}"
    if kind == "string_type":
        return f"must be text, not {describe(value)}{_unquoted_hint(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, not {describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, not {describe(value)}"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, not {describe(value)}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        message = _bound(error)
    elif kind in ("enum", "literal_error"):
        message = _choices(error)
    elif kind == "string_pattern_mismatch":
        pattern = str((error.get("ctx") or {}).get("pattern", ""))
        message = f"must be {PATTERN_WORDS[pattern]}" if pattern in PATTERN_WORDS else f"must match {pattern}"
    elif kind in ("string_too_short", "string_too_long"):
        ctx = error.get("ctx") or {}
        message = (f"must be at least {ctx.get('min_length')} characters long" if kind == "string_too_short"
                   else f"must be at most {ctx.get('max_length')} characters long")
    elif kind in ("too_short", "too_long"):
        ctx = error.get("ctx") or {}
        message = (f"must have at least {ctx.get('min_length')} entries" if kind == "too_short"
                   else f"must have at most {ctx.get('max_length')} entries")
        return message
    elif kind == "ip_v4_address":
        message = "is not an IPv4 address such as 10.4.0.10"
    elif kind == "ip_v4_network":
        message = "is not an IPv4 range such as 10.4.0.0/20"
    else:
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if isinstance(value, str | int | float) and not isinstance(value, bool) and repr(value) not in message:
        shown = str.__repr__(value) if isinstance(value, str) else (scalar_source(value) or repr(value))
        message = f"{message} (got {shown})"
    if isinstance(value, str):
        message += non_ascii_hint(value) + space_hint(value)
    return message


def loc_path(loc: Sequence[str | int]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)


# --- YAML pitfalls found in the raw data ----------------------------------------------------------------


def ambiguous_values(raw: object, path: str, node_prefix: Callable[[int], str]) -> Iterator[tuple[str, Ambiguous]]:
    """(path, value) of every unquoted value YAML 1.1 and 1.2 read differently."""
    stack: list[tuple[str, object]] = [(path, raw)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, Ambiguous):
            yield where, value
        elif isinstance(value, dict):
            stack.extend((f"{where}.{k}", v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((node_prefix(i) if where == "nodes" else f"{where}[{i}]", v) for i, v in enumerate(value))


def ambiguous_message(value: Ambiguous) -> str:
    return (f"the unquoted {value} reads as {value.reading} in YAML 1.1 (PyYAML, Ansible) and as text in "
            f"YAML 1.2 (the Pulumi CLI): quote it, \"{value}\"")


def collapse(explanations: list[Violation], others: list[Violation]) -> list[Violation]:
    """The explanations, and of the other violations those at no path an explanation covers (at or below
    it): an unquoted value's consequences are not reported again."""
    paths = {e.path for e in explanations}
    return explanations + [
        v for v in others if not any(v.path == p or v.path.startswith((f"{p}.", f"{p}[")) for p in paths)
    ]
