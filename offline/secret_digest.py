"""Digests of secret inputs for the plan JSON: a reviewer comparing two plans sees *which* secret inputs changed
(`connection.privateKey`, `stdin`) without seeing a value.

A digest is scrypt of the value (a memory-hard hash, so a digest is no cheap oracle for guessing a weak secret),
cut to 16 hex digits, computed once per distinct value. Equal values have equal digests wherever they appear:
that they are equal is what the plan may show. A whole-object secret (the SDK marks every `connection` secret)
gets one digest per leaf, so a rotated key and a changed user are told apart.
"""

import hashlib
import json
from functools import cache
from typing import Any

from offline.recorder import SECRET

_SALT = b"goldentooth plan secret digest v1"


@cache
def _digest(canonical: str) -> str:
    return hashlib.scrypt(canonical.encode(), salt=_SALT, n=2**12, r=8, p=1, dklen=8).hex()


def digest_value(value: Any) -> str:
    return _digest(json.dumps(value, sort_keys=True, separators=(",", ":")))


def secret_digests(redacted: Any, raw: Any, path: str = "") -> dict[str, str]:
    """Dotted input path -> digest, for every leaf that `redacted` shows as `[secret]`."""
    if redacted == SECRET:
        return _leaves(raw, path)
    out: dict[str, str] = {}
    if isinstance(redacted, dict) and isinstance(raw, dict):
        for key in sorted(redacted):
            out.update(secret_digests(redacted[key], raw.get(key), f"{path}.{key}" if path else key))
    elif isinstance(redacted, list) and isinstance(raw, list):
        for i, (r, v) in enumerate(zip(redacted, raw, strict=False)):
            out.update(secret_digests(r, v, f"{path}[{i}]"))
    return out


def _leaves(raw: Any, path: str) -> dict[str, str]:
    if isinstance(raw, dict) and raw:
        out: dict[str, str] = {}
        for key in sorted(raw):
            out.update(_leaves(raw[key], f"{path}.{key}"))
        return out
    return {path: digest_value(raw)}
