"""What every rule module shares: enforcement defaults, policy config with defaults, unknown-aware reads.

Props reach a policy as the engine's camelCase inputs with secrets already unwrapped, wrapped in the SDK's
`unknown_checking_proxy`: reading a value that is unknown during preview raises `UnknownValueError`, which
the analyzer reports as "can't run policy during preview". Helpers here keep that behaviour (they never
swallow it) and treat a missing key as `None`.
"""

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pulumi_policy import EnforcementLevel, PolicyConfigSchema
from pulumi_policy.proxy import UnknownValueError

T = TypeVar("T")

# Security and state safety block a deployment; style only warns. Every level can be overridden per
# policy (or for "all") with `--policy-pack-config` / the action's `policyPackConfigs`.
MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

COMMAND_TYPES = ("command:remote:Command", "command:local:Command")
REMOTE_COMMAND = "command:remote:Command"


@dataclass(frozen=True)
class Needle:
    """A regex every match of which contains `literal`: a substring test first spares the regex a scan of every
    position of a step's script that cannot match (a check reads each of about 1200 scripts with a dozen rules)."""

    literal: str
    pattern: re.Pattern[str]

    def __post_init__(self) -> None:
        if self.literal not in self.pattern.pattern:
            raise ValueError(f"{self.literal!r} is not in the pattern {self.pattern.pattern!r}")

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.literal in text else None

    def findall(self, text: str) -> list[Any]:
        return self.pattern.findall(text) if self.literal in text else []


@functools.lru_cache(maxsize=2048)
def code(text: str) -> str:
    """Script text without comment lines, so a command named in a comment does not count. Kept for the most
    recent texts: several rules read the code of every step, and one check reads each step's text several times."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def schema(properties: Mapping[str, Mapping[str, Any]]) -> PolicyConfigSchema:
    """A config schema whose every property carries a `default`, so a pack without config works."""
    for key, spec in properties.items():
        if "default" not in spec:
            raise ValueError(f"policy config property {key!r} needs a default")
    return PolicyConfigSchema({k: dict(v) for k, v in properties.items()})


def setting(config: Mapping[str, Any], policy_schema: PolicyConfigSchema | None, key: str) -> Any:
    """A policy config value, falling back to the schema default (the CLI fills defaults too; this
    keeps a policy correct when called with an empty config, as in unit tests)."""
    if key in config:
        return config[key]
    if policy_schema is None or key not in policy_schema.properties:
        raise KeyError(f"no policy config property {key!r}")
    return policy_schema.properties[key]["default"]


def get(value: Any, *path: str | int) -> Any:
    """Walk mappings/sequences; a missing key or index gives None. Unknown values still raise."""
    for step in path:
        if value is None:
            return None
        if isinstance(step, int):
            if not is_list(value) or step >= len(value):
                return None
            value = value[step]
        else:
            if not is_map(value) or step not in value:
                return None
            value = value[step]
    return value


def known(read: Callable[[], T], default: T) -> T:
    """`read()`, or `default` when it touches a value unknown during preview. For rules that scan text for
    evidence (a secret on stdin, a kubeadm config): what is not known yet is no evidence, and the same rule
    runs again with every value known during `pulumi up`."""
    try:
        return read()
    except UnknownValueError:
        return default


def is_map(value: Any) -> bool:
    return isinstance(value, Mapping)


def is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def as_list(value: Any) -> list[Any]:
    """A JSON-ish value as a list: None is empty, a scalar is a one-element list."""
    if value is None:
        return []
    if is_list(value):
        return [value[i] for i in range(len(value))]
    return [value]


def strings(value: Any) -> Iterator[str]:
    """Every string leaf of a nested value (keys excluded)."""
    if isinstance(value, str):
        yield value
    elif is_map(value):
        for key in value:
            yield from strings(value[key])
    elif is_list(value):
        for i in range(len(value)):
            yield from strings(value[i])


def tag(props: Mapping[str, Any], key: str) -> str | None:
    tags = get(props, "tags")
    value = get(tags, key) if is_map(tags) else None
    return value if isinstance(value, str) else None
