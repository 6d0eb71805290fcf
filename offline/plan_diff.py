"""What a second `pulumi up` would do, from two plan documents (`goldentooth plan --against BEFORE.json`).

The classification follows pulumi-command 1.2.1 for remote steps (see components/remote_step.py): a change of
`triggers` or of an input in `replaceOnChanges` replaces the step, which runs its script; any other change is an
update, which runs the step's `update` (`true` for ordinary steps: no work) or, without one, its script again.
Inputs in `ignoreChanges` never diff. Secret inputs are compared by their digests (`secretDigests`).
Other resources are counted as updated or replaced by their provider, which this module does not model.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.remote_step import NO_WORK_UPDATE

COMMAND = "command:remote:Command"
CONNECTION_ONLY = "connection-only update (no work on the node)"
NO_WORK = "update of bookkeeping inputs (no work on the node)"
RERUN_UPDATE = "update that re-runs the step"
REPLACE = "replacement that re-runs the step"
OTHER_CHANGE = "update or replacement by its provider"
CREATE = "create"
DELETE = "delete"
KINDS = (CONNECTION_ONLY, NO_WORK, RERUN_UPDATE, REPLACE, OTHER_CHANGE, CREATE, DELETE)
_SUDO = "sudo -n "


@dataclass(frozen=True)
class Change:
    urn: str
    kind: str
    inputs: tuple[str, ...]  # the top-level inputs that changed


def changed_inputs(before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    """Top-level inputs whose value (or, for secrets, digest) differs, less those in `ignoreChanges`."""
    names = set(before["inputs"]) | set(after["inputs"])
    changed = {n for n in names if before["inputs"].get(n) != after["inputs"].get(n)}
    for side_a, side_b in ((before, after), (after, before)):
        for path, value in side_a.get("secretDigests", {}).items():
            if side_b.get("secretDigests", {}).get(path) != value:
                changed.add(path.split(".", 1)[0].split("[", 1)[0])
    ignored = {i.split(".", 1)[0].split("[", 1)[0] for i in after.get("ignoreChanges", ())}
    return changed - ignored


def _only_sudo_differs(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    a, b = (str(e["inputs"].get("create", "")) for e in (before, after))
    return a.removeprefix(_SUDO) == b.removeprefix(_SUDO)

COPY = "command:remote:CopyToRemote"


def classify(before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    """How one resource present in both plans changes; None when it does not."""
    changed = changed_inputs(before, after)
    if not changed:
        return None
    if after["type"] == COPY:
        # pulumi-command's CopyToRemote update copies only when the source's hash or the remote path changed;
        # otherwise it stores the new connection (provider/pkg/provider/remote/copyController.go).
        return CONNECTION_ONLY if changed == {"connection"} else (REPLACE if "triggers" in changed else OTHER_CHANGE)
    if after["type"] != COMMAND:
        return OTHER_CHANGE
    replacing = {r.split(".", 1)[0].split("[", 1)[0] for r in after.get("replaceOnChanges", ())} | {"triggers"}
    if changed & replacing:
        return REPLACE
    if after["inputs"].get("update") != NO_WORK_UPDATE:
        return RERUN_UPDATE  # a step updated in place: an update runs its script
    # The update runs `true` with the new inputs: no work, whatever else changed. A switch of user changes only the
    # `sudo -n` in front of the script, which is part of the connection change.
    connection = {"connection", "update"} | ({"create"} if _only_sudo_differs(before, after) else set())
    return CONNECTION_ONLY if "connection" in changed and changed <= connection else NO_WORK


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    old = {r["urn"]: r for r in before["resources"]}
    new = {r["urn"]: r for r in after["resources"]}
    changes = []
    for urn in sorted(new):
        if urn not in old:
            changes.append(Change(urn, CREATE, ()))
            continue
        kind = classify(old[urn], new[urn])
        if kind is not None:
            changes.append(Change(urn, kind, tuple(sorted(changed_inputs(old[urn], new[urn])))))
    changes += [Change(urn, DELETE, ()) for urn in sorted(set(old) - set(new))]
    return changes


def summary(changes: list[Change], total: int, against: str) -> str:
    counts = Counter(c.kind for c in changes)
    lines = [f"against {against}: {total - sum(counts[k] for k in KINDS if k != DELETE)} resources unchanged"]
    lines += [f"  {counts[k]:>6}  {k}" for k in KINDS if counts[k]]
    steps = [c for c in changes if c.kind in (RERUN_UPDATE, REPLACE)]
    if steps:
        lines.append("steps that would run their script:")
        lines += [f"  {c.urn.rsplit('::', 1)[-1]} ({', '.join(c.inputs)})" for c in steps[:40]]
        if len(steps) > 40:
            lines.append(f"  ... and {len(steps) - 40} more")
    return "\n".join(lines)
