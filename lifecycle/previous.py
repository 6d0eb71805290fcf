"""The memberships the last `up` applied: the stack output `memberships`, as `pulumi stack output --json
memberships` prints it (tools/previous-memberships.sh writes it before `make preview|up`). `null` means there is
none yet (a new stack, or the first `up` with this output)."""

import json
import os
from pathlib import Path

from config.errors import ConfigError, Violation
from lifecycle.memberships import Memberships

ENV = "GOLDENTOOTH_PREVIOUS_MEMBERSHIPS"


def parse(value: object, source: str) -> Memberships | None:
    if value is None:
        return None
    members = value.get("members") if isinstance(value, dict) else None
    init = value.get("kubeadmInit") if isinstance(value, dict) else None
    version = value.get("kubernetesVersion") if isinstance(value, dict) else None
    addresses = value.get("addresses", {}) if isinstance(value, dict) else None
    if not isinstance(members, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(n, str) for n in v)
            for k, v in members.items()) or not (init is None or isinstance(init, str)) or not (
            version is None or isinstance(version, str)) or not (
            isinstance(addresses, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in addresses.items())):
        raise ConfigError([Violation(source, "is not the `memberships` stack output ({members: {path: [node, ...]}, "
                                             "kubeadmInit: node, kubernetesVersion: version, addresses: {node: ip}})")])
    return Memberships({k: tuple(v) for k, v in members.items()}, init, version, addresses)


def read(path: Path) -> Memberships | None:
    return parse(json.loads(path.read_text(encoding="utf-8") or "null"), str(path))


def from_environment() -> Memberships | None:
    """Under the engine: the file `GOLDENTOOTH_PREVIOUS_MEMBERSHIPS` names. Unset is an error, so a `pulumi up`
    that bypasses `make up` cannot skip the quorum checks by accident."""
    path = os.environ.get(ENV)
    if not path:
        raise ConfigError([Violation(ENV, "is not set: run `make preview` or `make up` (they read the last up's "
                                          "memberships first), or write `pulumi stack output --json memberships` "
                                          "to a file and point this variable at it (`null` for a new stack)")])
    return read(Path(path))
