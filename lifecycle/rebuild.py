"""`goldentooth rebuild NODE`: record in the stack file that NODE was reflashed.

Two edits, and nothing else in the file changes (comments and layout kept; the result is parsed again and
compared with the original, key by key, before it is returned):

- `goldentooth:ssh.hostKeys.NODE` becomes the new host key (the old pin would refuse the new host);
- `goldentooth:lifecycle.generations.NODE` counts up: every unprotected step of NODE carries the generation in
  its triggers (components/remote_step.py), so the next `up` re-runs them from scratch, joins included; protected
  steps adopt what they find, and no other node's steps change.

PyYAML cannot write a file back with its comments, so the edit is on lines of the block style this file uses;
anything else (a flow-style `hostKeys: {...}`) is refused with the key to edit by hand.
"""

import copy
import re
from typing import Any

import yaml

from config.errors import ConfigError, Violation

LIFECYCLE = "goldentooth:lifecycle"
SSH = "goldentooth:ssh"
_KEY = re.compile(r"^(ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|ssh-rsa) [A-Za-z0-9+/=]+$")


def _block(lines: list[str], key: str, indent: int, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
    """(index of `key:` at `indent`, index after its block) within lines[start:end], or None."""
    end = len(lines) if end is None else end
    head = " " * indent + key + ":"
    for i in range(start, end):
        if lines[i].rstrip() == head or lines[i].startswith(head + " "):
            if lines[i].rstrip() != head:
                raise ConfigError([Violation(key, "is not in block style; edit it by hand")])
            j = i + 1
            while j < end and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
                j += 1
            while j > i + 1 and not lines[j - 1].strip():
                j -= 1  # blank lines after a block belong to what follows (as do comments at its own indent)
            return i, j
    return None


def _set(lines: list[str], path: tuple[str, ...], value: str, start: int, end: int, indent: int) -> None:
    """Set path (mapping keys, block style) to the scalar `value` inside lines[start:end] at `indent`."""
    key, rest = path[0], path[1:]
    if not rest:
        line = " " * indent + f"{key}: {value}"
        scalar = re.compile("^" + " " * indent + re.escape(key) + r":\s*\S")
        for i in range(start, end):
            if scalar.match(lines[i]):
                lines[i] = line
                return
        lines.insert(end, line)
        return
    found = _block(lines, key, indent, start, end)
    if found is None:
        lines.insert(end, " " * indent + f"{key}:")
        found = (end, end + 1)
    _set(lines, rest, value, found[0] + 1, found[1], indent + 2)


def rebuild(text: str, node: str, host_key: str) -> tuple[str, int]:
    """The stack file with NODE's host key pinned to `host_key` and its generation counted up; the new generation."""
    host_key = host_key.strip()
    if not _KEY.match(host_key):
        raise ConfigError([Violation("--host-key", "is not one host key line (`ssh-ed25519 AAAA...`)")])
    before = yaml.safe_load(text)
    settings = before.get("config", {}) if isinstance(before, dict) else {}
    if node not in {n.get("name") for n in settings.get("goldentooth:nodes", ()) if isinstance(n, dict)}:
        raise ConfigError([Violation(f"nodes.{node}", "is not a node of the inventory: add it instead (README)")])
    generation = int(((settings.get(LIFECYCLE) or {}).get("generations") or {}).get(node, 0)) + 1
    lines = text.split("\n")
    top = _block(lines, "config", 0)
    if top is None:
        raise ConfigError([Violation("config", "the stack file has no `config:` block")])
    _set(lines, (SSH, "hostKeys", node), f'"{host_key}"', top[0] + 1, top[1], 2)
    top = _block(lines, "config", 0)
    assert top is not None
    _set(lines, (LIFECYCLE, "generations", node), str(generation), top[0] + 1, top[1], 2)
    updated = "\n".join(lines)
    expected: Any = copy.deepcopy(before)
    cfg = expected["config"]
    cfg.setdefault(SSH, {}).setdefault("hostKeys", {})[node] = host_key
    cfg.setdefault(LIFECYCLE, {}).setdefault("generations", {})[node] = generation
    if yaml.safe_load(updated) != expected:
        raise ConfigError([Violation(f"{SSH}.hostKeys.{node}", "could not be edited without touching other keys; "
                                                              "edit it and lifecycle.generations by hand")])
    return updated, generation
