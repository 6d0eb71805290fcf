"""Which config namespaces this program reads, and what becomes of a key in any other.

`goldentooth:*` is ours. `pulumi:*` is the engine's, and each provider package the program uses reads its
own namespace (`aws:region`, `kubernetes:strictMode`). A key anywhere else is read by nothing: a typo
(`goldentoth:nodes`) would silently switch a setting off, so it is kept, under its full name, for
validation to report. So is a key without any namespace, under `:<key>` (the Pulumi CLI refuses those).
"""

import difflib
from collections.abc import Mapping
from typing import Any

NAMESPACE = "goldentooth"
# pulumi-<name> packages in pyproject.toml, plus the engine's own (tests/test_config_reading.py keeps them in step)
PROVIDER_NAMESPACES = frozenset({"aws", "cloudflare", "command", "kubernetes", "random", "tls"})
KNOWN_NAMESPACES = frozenset({NAMESPACE, "pulumi"}) | PROVIDER_NAMESPACES


def split_config(config: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(ours, providers'): `goldentooth:` keys without the prefix, plus stray keys under their full name
    (they contain ':'); and the keys of other known namespaces as written."""
    ours: dict[str, Any] = {}
    providers: dict[str, Any] = {}
    for key, value in config.items():
        namespace, sep, name = str(key).partition(":")
        if not sep:
            ours[f":{key}"] = value
        elif namespace == NAMESPACE:
            ours[name] = value
        elif namespace in KNOWN_NAMESPACES:
            providers[str(key)] = value
        else:
            ours[str(key)] = value
    return ours, providers


def is_stray(key: str) -> bool:
    return ":" in key


def stray_message(key: str, known_keys: list[str]) -> str:
    """Why a stray key is read by nothing, and what it most likely meant."""
    namespace, _, name = key.partition(":")
    if not namespace:
        target = f"{NAMESPACE}:{name}"
        return f"has no namespace: the Pulumi CLI refuses it; write {target}" + (
            "" if name in known_keys else " (and check the key's name)")
    close = difflib.get_close_matches(namespace, sorted(KNOWN_NAMESPACES), n=1, cutoff=0.6)
    if close and close[0] == NAMESPACE:
        suggestion = difflib.get_close_matches(name, known_keys, n=1)
        meant = suggestion[0] if suggestion else name
        return f"{namespace}: is not a namespace anything reads, so this setting is ignored (did you mean {NAMESPACE}:{meant}?)"
    if close:
        return f"{namespace}: is not a namespace anything reads, so this setting is ignored (did you mean {close[0]}:{name}?)"
    return (f"{namespace}: is not a namespace anything reads, so this setting is ignored "
            f"(read: {', '.join(sorted(KNOWN_NAMESPACES))})")


def meant_section(key: str, known_keys: list[str]) -> str | None:
    """The goldentooth section a stray key stands in for, when it is a namespace typo of one."""
    namespace, _, name = key.partition(":")
    if not namespace or difflib.get_close_matches(namespace, sorted(KNOWN_NAMESPACES), n=1, cutoff=0.6) == [NAMESPACE]:
        suggestion = difflib.get_close_matches(name, known_keys, n=1)
        return suggestion[0] if suggestion else None
    return None
