"""Turn raw stack config (from the Pulumi runtime or a stack file) into a `ClusterSpec` and `SecretValues`.

Every problem is collected, with its config path, before anything is registered.
"""

import difflib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, SecretStr, ValidationError

from config.aws import AwsSpec
from config.batch import BatchSpec
from config.cloudflare import CloudflareSpec
from config.domains import DomainsSpec
from config.errors import ConfigError, Violation
from config.kubernetes import KubernetesSpec
from config.network import NetworkSpec
from config.roles import RolesSpec
from config.rules import Draft, check
from config.secrets import SECRET_KEYS, SecretValues, missing_secrets
from config.spec import ClusterSpec
from config.versions import VersionsSpec
from nodes.model import NODE_NAME, NodeSpec

NAMESPACE = "goldentooth"
_SECTIONS: dict[str, str] = {
    (field.alias or name): name for name, field in ClusterSpec.model_fields.items()
}


def _format(prefix: str, error: Any) -> Violation:
    loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        message = "is required"
    elif error["type"] == "extra_forbidden":
        message = "is not a known key"
    elif isinstance(error.get("input"), (str, int, float)) and repr(error["input"]) not in message:
        message = f"{message} (got {error['input']!r})"
    return Violation(f"{prefix}{loc}", message)


def _validate(model: type[BaseModel], raw: object, prefix: str) -> tuple[Any, list[Violation]]:
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        return None, [_format(prefix, e) for e in exc.errors()]


def _node_prefix(index: int, raw: object, names: list[str]) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    if isinstance(name, str) and names.count(name) == 1 and NODE_NAME.match(name):
        return f"nodes.{name}"
    return f"nodes[{index}]"


def _unknown_key(key: str) -> str:
    """Name the key a typo most likely meant; list every key only when nothing is close."""
    close = difflib.get_close_matches(key, [*_SECTIONS, *SECRET_KEYS], n=1)
    if close:
        return f"is not a known key (did you mean {NAMESPACE}:{close[0]}?)"
    return f"is not a known key (known: {', '.join(sorted(_SECTIONS))}; secrets: {', '.join(sorted(SECRET_KEYS))})"


def _section_model(annotation: object) -> type[BaseModel]:
    """The model of a section; an optional section (`BatchSpec | None`) is validated as its model."""
    members = [a for a in get_args(annotation) if a is not type(None)] if get_args(annotation) else [annotation]
    model = members[0] if len(members) == 1 else None
    assert isinstance(model, type) and issubclass(model, BaseModel), annotation
    return model


def parse_spec(raw: Mapping[str, Any]) -> ClusterSpec:
    """`raw` maps keys without the namespace (`nodes`, `network`, ...) to plain data."""
    violations: list[Violation] = []
    for key in sorted(set(raw) - set(_SECTIONS) - SECRET_KEYS):
        violations.append(Violation(f"{NAMESPACE}:{key}", _unknown_key(key)))
    parsed: dict[str, Any] = {}
    draft = Draft()
    for alias, name in _SECTIONS.items():
        field = ClusterSpec.model_fields[name]
        if alias not in raw:
            if field.is_required():
                violations.append(Violation(f"{NAMESPACE}:{alias}", "is required"))
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
    draft.network = parsed.get("network") if isinstance(parsed.get("network"), NetworkSpec) else None
    draft.roles = parsed.get("roles") if isinstance(parsed.get("roles"), RolesSpec) else None
    draft.versions = parsed.get("versions") if isinstance(parsed.get("versions"), VersionsSpec) else None
    draft.kubernetes = parsed.get("kubernetes") if isinstance(parsed.get("kubernetes"), KubernetesSpec) else None
    draft.domains = parsed.get("domains") if isinstance(parsed.get("domains"), DomainsSpec) else None
    draft.aws = parsed.get("aws") if isinstance(parsed.get("aws"), AwsSpec) else None
    draft.cloudflare = parsed.get("cloudflare") if isinstance(parsed.get("cloudflare"), CloudflareSpec) else None
    draft.batch = parsed.get("batch") if isinstance(parsed.get("batch"), BatchSpec) else None
    violations += check(draft)
    if violations:
        raise ConfigError(violations)
    return ClusterSpec.model_validate(parsed)


def _parse_nodes(raw: object, draft: Draft) -> tuple[tuple[NodeSpec, ...], list[Violation]]:
    if not isinstance(raw, list) or not raw:
        return (), [Violation(f"{NAMESPACE}:nodes", "must be a non-empty list of nodes")]
    names: list[str] = [n["name"] for n in raw if isinstance(n, dict) and isinstance(n.get("name"), str)]
    draft.all_node_names = set(names)
    draft.duplicate_names = {name for name, count in Counter(names).items() if count > 1}
    problems: list[Violation] = []
    nodes: list[NodeSpec] = []
    for index, entry in enumerate(raw):
        node, errs = _validate(NodeSpec, entry, _node_prefix(index, entry, names))
        problems += errs
        if node is not None:
            nodes.append(node)
            draft.nodes.append((index, node))
    return tuple(nodes), problems


def load(plain: Mapping[str, Any], secrets: SecretValues, *, require_secrets: bool) -> tuple[ClusterSpec, SecretValues]:
    try:
        spec = parse_spec(plain)
    except ConfigError as exc:
        raise exc.redacted(v.get_secret_value() for v in secrets.values.values()) from None
    if require_secrets:
        missing = missing_secrets(spec, secrets)
        if missing:
            raise ConfigError(missing)
    return spec, secrets


def split_namespace(config: Mapping[str, Any]) -> dict[str, Any]:
    """Keep `goldentooth:*` keys without their prefix; other namespaces (aws:, kubernetes:) are provider config."""
    return {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith(f"{NAMESPACE}:")}


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML loader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """The problem and its line, without PyYAML's snippet of the offending line: that line may hold a secret."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return type(exc).__name__
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    context = f" ({exc.context})" if exc.context else ""
    return f"{exc.problem}{where}{context}"


def read_stack_file(path: Path) -> tuple[dict[str, Any], SecretValues]:
    """Read a `Pulumi.<stack>.yaml` without the CLI. Encrypted (`secure:`) values cannot be decrypted
    offline and become placeholders; plain values of secret keys (as tests use) are held as secrets."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader) or {}
    except OSError as exc:
        raise ConfigError([Violation(str(path), f"cannot be read: {exc.strerror or exc}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Violation(str(path), f"is not valid YAML: {_yaml_problem(exc)}")]) from None
    if not isinstance(document, dict):
        raise ConfigError([Violation(str(path), "must be a mapping with a config: key")])
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError([Violation(f"{path}:config", "must be a mapping")])
    plain = split_namespace(config)
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
    return plain, SecretValues(values, frozenset(placeholders))


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
