"""Turn raw stack config (from the Pulumi runtime or a stack file) into a `ClusterSpec` and `SecretValues`.

Every problem is collected, with its config path, before anything is registered.
"""

import difflib
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, SecretStr, ValidationError

from config import masking, messages, namespaces
from config.canonical import canonical
from config.errors import ConfigError, Violation
from config.nodes import NODE_NAME, NodeSpec
from config.reading import read_config
from config.rules import Draft, check
from config.secrets import SECRET_KEYS, SecretValues, missing_secrets
from config.spec import ClusterSpec

NAMESPACE = "goldentooth"
_SECTIONS: dict[str, str] = {
    (field.alias or name): name for name, field in ClusterSpec.model_fields.items()
}


def _format(prefix: str, error: Any, model: type[BaseModel]) -> Violation:
    return Violation(f"{prefix}{messages.loc_path(error['loc'])}", messages.message_for(error, model))


def _validate(model: type[BaseModel], raw: object, prefix: str) -> tuple[Any, list[Violation]]:
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        return None, [_format(prefix, e, model) for e in exc.errors()]


def _node_prefix(index: int, raw: object, counts: Mapping[str, int]) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    name = name.strip() if isinstance(name, str) else None
    if name is not None and counts.get(name) == 1 and NODE_NAME.match(name):
        return f"nodes.{name}"
    return f"nodes[{index}]"


def _unknown_key(key: str) -> str:
    """Name the key a typo most likely meant; list every key only when nothing is close."""
    close = difflib.get_close_matches(key, [*_SECTIONS, *SECRET_KEYS], n=1)
    if close:
        return f"is not a known key (did you mean {NAMESPACE}:{close[0]}?)"
    return f"is not a known key (known: {', '.join(sorted(_SECTIONS))}; secrets: {', '.join(sorted(SECRET_KEYS))})"


def _document_problems(raw: Mapping[str, Any]) -> tuple[list[Violation], set[str]]:
    """Unknown keys and namespaces, and the sections they stand in for (whose 'is required' they explain)."""
    known = [*_SECTIONS, *sorted(SECRET_KEYS)]
    violations: list[Violation] = []
    meant: set[str] = set()
    for key in sorted(set(raw) - set(_SECTIONS) - SECRET_KEYS):
        if namespaces.is_stray(key):
            violations.append(Violation(key.removeprefix(":"), namespaces.stray_message(key, known)))
            section = namespaces.meant_section(key, known)
        else:
            violations.append(Violation(f"{NAMESPACE}:{key}", _unknown_key(key)))
            close = difflib.get_close_matches(key, known, n=1)
            section = close[0] if close else None
        if section is not None:
            meant.add(section)
    if not set(raw) & set(_SECTIONS):
        strays = sorted({k.partition(":")[0] for k in raw if namespaces.is_stray(k)} - {""})
        where = f"; the keys given sit under {', '.join(s + ':' for s in strays)} instead" if strays else ""
        return [Violation(f"{NAMESPACE}:*", f"no {NAMESPACE}: settings are given{where} "
                                           f"(expected {', '.join(_SECTIONS)})")], set(_SECTIONS)
    return violations, meant
def _section_model(annotation: object) -> type[BaseModel]:
    """The model of a section; an optional section (`BatchSpec | None`) is validated as its model."""
    members = [a for a in get_args(annotation) if a is not type(None)] if get_args(annotation) else [annotation]
    model = members[0] if len(members) == 1 else None
    assert isinstance(model, type) and issubclass(model, BaseModel), annotation
    return model


def parse_spec(raw: Mapping[str, Any]) -> ClusterSpec:
    """`raw` maps keys without the namespace (`nodes`, `network`, ...) to plain data."""
    violations, meant = _document_problems(raw)
    node_prefix = _node_prefix_of(raw)
    pitfalls = [
        Violation(path, messages.ambiguous_message(value))
        for key in _SECTIONS if key in raw
        for path, value in messages.ambiguous_values(raw[key], key, node_prefix)
    ]
    parsed: dict[str, Any] = {}
    draft = Draft()
    for alias, name in _SECTIONS.items():
        field = ClusterSpec.model_fields[name]
        if alias not in raw:
            if field.is_required() and alias not in meant:
                violations.append(Violation(f"{NAMESPACE}:{alias}", "is required"))
            elif not field.is_required():
                parsed[name] = field.get_default(call_default_factory=True)  # rules check what defaults pin
            continue
        if name == "nodes":
            nodes, problems = _parse_nodes(raw[alias], draft)
            violations += problems
            parsed[name] = nodes
            continue
        annotation = _section_model(field.annotation)
        value, problems = _validate(annotation, raw[alias], alias)
        violations += problems
        if value is not None:
            parsed[name] = value
    draft.take_sections(parsed)
    violations += check(draft)
    violations = messages.collapse(pitfalls, violations)
    if violations:
        raise ConfigError(violations)
    return canonical(ClusterSpec.model_validate(parsed))  # after the rules: messages name the written indexes


def _parse_nodes(raw: object, draft: Draft) -> tuple[tuple[NodeSpec, ...], list[Violation]]:
    if not isinstance(raw, list) or not raw:
        return (), [Violation(f"{NAMESPACE}:nodes", "must be a non-empty list of nodes")]
    # Names as the model reads them (stripped), so a stray space is blamed once, at the name, not at every role.
    written = [n["name"] for n in raw if isinstance(n, dict) and isinstance(n.get("name"), str)]
    names = [n.strip() for n in written]
    counts = Counter(names)
    draft.all_node_names = set(names)
    draft.duplicate_names = {name for name, count in counts.items() if count > 1}
    problems: list[Violation] = []
    nodes: list[NodeSpec] = []
    for index, entry in enumerate(raw):
        prefix = _node_prefix(index, entry, counts)
        node, errs = _validate(NodeSpec, entry, prefix)
        problems += errs
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name != name.strip() and not errs:
            problems.append(Violation(f"{prefix}.name", messages.spaced_name(name)))
        if node is not None:
            nodes.append(node)
            draft.nodes.append((index, node))
    return tuple(nodes), problems


def load(plain: Mapping[str, Any], secrets: SecretValues, *, require_secrets: bool) -> tuple[ClusterSpec, SecretValues]:
    """Validate; no secret value, nor anything in the plain config that looks like one, is in any message."""
    mask, exposed = masking.scan(plain, secrets, _node_prefix_of(plain))
    try:
        spec = parse_spec(plain)
    except ConfigError as exc:
        raise mask.error(exc.violations + exposed) from None
    if exposed:
        raise mask.error(exposed)
    if require_secrets:
        missing = missing_secrets(spec, secrets)
        if missing:
            raise ConfigError(missing)
    return spec, secrets


def _node_prefix_of(plain: Mapping[str, Any]) -> Callable[[int], str]:
    entries = plain.get("nodes")
    entries = entries if isinstance(entries, list) else []
    counts = Counter(str(e.get("name")).strip() for e in entries if isinstance(e, dict))
    return lambda index: _node_prefix(index, entries[index], counts) if index < len(entries) else f"nodes[{index}]"


def split_namespace(config: Mapping[str, Any]) -> dict[str, Any]:
    """`goldentooth:*` keys without their prefix, and keys no one reads under their full name, for validation to
    report (config/namespaces.py); other known namespaces (aws:, kubernetes:) are provider config."""
    return namespaces.split_config(config)[0]


def read_stack(path: Path) -> tuple[dict[str, Any], SecretValues, dict[str, Any]]:
    """Read a `Pulumi.<stack>.yaml` once, without the CLI: (plain, secrets, provider config).

    Encrypted (`secure:`) values cannot be decrypted offline and become placeholders; plain values of secret
    keys (as tests use) are held as secrets."""
    plain, providers = namespaces.split_config(read_config(path))
    values: dict[str, SecretStr] = {}
    placeholders: set[str] = set()
    for key in SECRET_KEYS:
        if key not in plain:
            placeholders.add(key)
            continue
        value = plain.pop(key)
        if isinstance(value, dict) and "secure" in value:
            placeholders.add(key)
        else:
            values[key] = SecretStr(str(value))
    return plain, SecretValues(values, frozenset(placeholders)), providers


def read_stack_file(path: Path) -> tuple[dict[str, Any], SecretValues]:
    plain, secrets, _ = read_stack(path)
    return plain, secrets


def read_pulumi_config() -> tuple[dict[str, Any], SecretValues]:
    """Read config handed to the program by the Pulumi CLI (secrets arrive decrypted; we re-wrap them)."""
    import json

    from pulumi.runtime.config import CONFIG

    plain: dict[str, Any] = {}
    values: dict[str, SecretStr] = {}
    for key, text in split_namespace(CONFIG.get()).items():
        if key in SECRET_KEYS:
            values[key] = SecretStr(text)
            continue
        try:
            plain[key] = json.loads(text)
        except (TypeError, ValueError):
            plain[key] = text
    return plain, SecretValues(values)
