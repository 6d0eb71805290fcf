"""`goldentooth host-keys`: record every inventory node's SSH host key in the stack file (`goldentooth:ssh.hostKeys`).

The keys come from `ssh-keyscan` against each node's inventory address and SSH port, or from a known_hosts file the
user already trusts (plain or hashed host names, `[addr]:port` entries, markers skipped). A node that already has a
pin is looked up by its pin's key type and kept when the key is the same; a different key stops the command before
anything is written, naming the node and both SHA-256 fingerprints (a reflashed node is `goldentooth rebuild`'s job).
The file is edited line by line, as `goldentooth rebuild` does (comments and layout kept), and parsed again to check
that nothing but `ssh.hostKeys` changed.
"""

import base64
import copy
import hashlib
import hmac
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from config.errors import ConfigError, Violation
from config.meaning import host_key_problem
from config.spec import ClusterSpec
from lifecycle.rebuild import SSH, _block, _set

DEFAULT_KEY_TYPE = "ssh-ed25519"  # the type a pin is collected for when a node has none yet
# ssh-keyscan's -t names for the key types a pin may have
_SCAN_TYPES = {"ssh-ed25519": "ed25519", "ecdsa-sha2-nistp256": "ecdsa", "ecdsa-sha2-nistp384": "ecdsa",
               "ecdsa-sha2-nistp521": "ecdsa", "ssh-rsa": "rsa"}


@dataclass(frozen=True)
class Target:
    """A node as SSH reaches it: the names a known_hosts line may give it, and the key type wanted."""

    node: str
    address: str
    port: int
    key_type: str
    aliases: tuple[str, ...] = ()

    def host_patterns(self) -> tuple[str, ...]:
        """How known_hosts and ssh-keyscan write this host: `addr` on port 22, `[addr]:port` otherwise."""
        names = (self.address, *self.aliases)
        return names if self.port == 22 else tuple(f"[{n}]:{self.port}" for n in names)


@dataclass
class Outcome:
    added: dict[str, str] = field(default_factory=dict)  # node -> key newly pinned
    unchanged: list[str] = field(default_factory=list)  # nodes whose pin matched what was read
    missing: list[str] = field(default_factory=list)  # nodes no key was read for
    text: str = ""  # the stack file after the edit


def fingerprint(key: str) -> str:
    """`SHA256:...` as `ssh-keygen -l` prints it."""
    blob = base64.b64decode(key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _bare(key: str) -> str:
    """`type base64` without a comment: what pulumi-command compares."""
    kind, blob, *_ = key.split()
    return f"{kind} {blob}"


def targets(spec: ClusterSpec, only: Iterable[str] = ()) -> list[Target]:
    wanted = set(only)
    unknown = sorted(wanted - {n.name for n in spec.nodes})
    if unknown:
        raise ConfigError([Violation("--node", f"{name!r} is not a node of the inventory") for name in unknown])
    pins = spec.ssh.host_keys
    return [
        Target(n.name, str(n.ip), spec.ssh.port, pins[n.name].split()[0] if n.name in pins else DEFAULT_KEY_TYPE,
               (n.name, spec.domains.node_fqdn(n.name)))
        for n in spec.nodes if not wanted or n.name in wanted
    ]


def _hashed_match(pattern: str, host: str) -> bool:
    """A hashed known_hosts name, `|1|salt|hash`: HMAC-SHA1 of the host name keyed with the salt."""
    try:
        _, _, salt, digest = pattern.split("|")
        mac = hmac.new(base64.b64decode(salt), host.encode(), hashlib.sha1).digest()
        return hmac.compare_digest(mac, base64.b64decode(digest))
    except ValueError:
        return False


def from_known_hosts(text: str, wanted: Iterable[Target]) -> dict[str, str]:
    """node -> the key of the wanted type a known_hosts text gives for the node's address (or name)."""
    found: dict[str, str] = {}
    lines = [line.split() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for target in wanted:
        hosts = target.host_patterns()
        for parts in lines:
            if parts[0].startswith("@") or len(parts) < 3:  # @cert-authority/@revoked: not a host's own key
                continue
            names, kind, blob = parts[0].split(","), parts[1], parts[2]
            if kind != target.key_type:
                continue
            if any(n in hosts or (n.startswith("|1|") and any(_hashed_match(n, h) for h in hosts)) for n in names):
                found[target.node] = f"{kind} {blob}"
                break
    return found


def scan(wanted: Iterable[Target], timeout: int) -> tuple[dict[str, str], str]:
    """node -> key read with ssh-keyscan (one run per port and key type), and what ssh-keyscan said on stderr."""
    groups: dict[tuple[int, str], list[Target]] = {}
    for target in wanted:
        groups.setdefault((target.port, target.key_type), []).append(target)
    found: dict[str, str] = {}
    errors = []
    for (port, kind), group in sorted(groups.items()):
        try:
            done = subprocess.run(
                ["ssh-keyscan", "-T", str(timeout), "-p", str(port), "-t", _SCAN_TYPES[kind],
                 *(t.address for t in group)],
                capture_output=True, text=True, check=False, timeout=timeout * len(group) + 30,
            )
        except FileNotFoundError as exc:
            raise ConfigError([Violation("--scan", "needs ssh-keyscan (OpenSSH's client, Debian's openssh-client); "
                                                   "or give --known-hosts FILE")]) from exc
        found |= from_known_hosts(done.stdout, group)
        errors += [line for line in done.stderr.splitlines() if line and not line.startswith("#")]
    return found, "\n".join(errors)


def record(text: str, spec: ClusterSpec, found: Mapping[str, str], wanted: Iterable[Target]) -> Outcome:
    """The stack file with every read key pinned. A pin that differs from what was read stops it: nothing is written."""
    pins = spec.ssh.host_keys
    outcome = Outcome()
    conflicts = []
    for target in wanted:
        key = found.get(target.node)
        if key is None:
            outcome.missing.append(target.node)
            continue
        problem = host_key_problem(key)
        if problem:
            raise ConfigError([Violation(f"ssh.hostKeys.{target.node}", f"the key read for it {problem}")])
        pinned = pins.get(target.node)
        if pinned is None:
            outcome.added[target.node] = _bare(key)
        elif _bare(pinned) == _bare(key):
            outcome.unchanged.append(target.node)
        else:
            conflicts.append(Violation(
                f"ssh.hostKeys.{target.node}",
                f"{target.node} ({target.address}) answers with {fingerprint(key)}, but {fingerprint(pinned)} is "
                "pinned: nothing was written. If the node was reflashed, compare the key with its console and run "
                "`goldentooth rebuild`; otherwise something else answers at its address",
            ))
    if conflicts:
        raise ConfigError(conflicts)
    outcome.text = _edit(text, outcome.added)
    return outcome


def _edit(text: str, added: Mapping[str, str]) -> str:
    if not added:
        return text
    before: Any = yaml.safe_load(text)
    lines = text.split("\n")
    for node, key in sorted(added.items()):
        top = _block(lines, "config", 0)
        if top is None:
            raise ConfigError([Violation("config", "the stack file has no `config:` block")])
        _set(lines, (SSH, "hostKeys", node), f'"{key}"', top[0] + 1, top[1], 2)
    updated = "\n".join(lines)
    expected = copy.deepcopy(before)
    expected["config"].setdefault(SSH, {}).setdefault("hostKeys", {}).update(added)
    if yaml.safe_load(updated) != expected:
        raise ConfigError([Violation(f"{SSH}.hostKeys", "could not be edited without touching other keys; "
                                                        "add the keys by hand")])
    return updated
