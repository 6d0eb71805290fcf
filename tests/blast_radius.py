"""What an edit changes: the resources two evaluations differ in, as the engine would diff them.

`change_set(before, after)` pairs resources by URN, or through an alias when a URN moved (the engine continues
an aliased resource in place), and sorts them into created, deleted and updated. A resource is updated when
its inputs differ (secrets compared by value: a rotated key is a change), ignoring the keys it lists in
`ignoreChanges` (the engine ignores them too), or when it moves to a provider of another configuration.
Dependency edges and `protect` are not compared: changing them alone does no work.

`Expected` is the hand-counted answer: `fnmatch` patterns over resource names, each with how many resources it
must match. `mismatches` says how an evaluated change set differs from it.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from components.remote_step import NO_WORK_UPDATE
from offline.evaluate import Evaluation
from offline.recorder import RecordedResource
from offline.urns import EngineUrns


@dataclass(frozen=True)
class ChangeSet:
    created: frozenset[str]  # URNs of the edited evaluation
    deleted: frozenset[str]  # URNs of the base evaluation
    updated: frozenset[str]  # URNs of the edited evaluation
    names: Mapping[str, str] = field(compare=False)  # URN -> resource name, for both evaluations

    def named(self, kind: str) -> list[str]:
        return sorted(self.names[u] for u in getattr(self, kind))


def _without_ignored(inputs: Mapping[str, Any], ignored: Iterable[str]) -> dict[str, Any]:
    top = {path.split(".", 1)[0].split("[", 1)[0] for path in ignored}
    return {k: v for k, v in inputs.items() if k not in top}


def _fingerprint(ev: Evaluation, r: RecordedResource) -> str:
    provider = r.provider.rsplit("::", 1)[0] if r.provider else ""
    provider_config = ev.by_urn()[provider].raw_inputs if provider in ev.by_urn() else None
    return json.dumps(
        {"inputs": _without_ignored(r.raw_inputs, r.ignore_changes), "provider": provider_config},
        sort_keys=True,
        default=str,
    )


def _continuations(before: Evaluation, after: Evaluation) -> dict[str, str]:
    """Edited URN -> the base URN it continues (the same URN, or one of its aliases)."""
    old = EngineUrns(before.resources)  # type: ignore[arg-type]  # RecordedResource has Entry's fields
    new = EngineUrns(after.resources)  # type: ignore[arg-type]
    old_by_engine = {old.engine_urn(u): u for u in old.entries}
    continues: dict[str, str] = {}
    for urn in new.entries:
        for candidate in (new.engine_urn(urn), *sorted(new.former(urn))):
            if candidate in old_by_engine:
                continues[urn] = old_by_engine[candidate]
                break
    return continues


def _connection_only(before: RecordedResource, after: RecordedResource) -> bool:
    """Only the stored connection differs, and the provider's update then runs nothing on the node: a step with the
    no-work update, or a copy whose source is the same (offline/plan_diff.py)."""
    keys = {k for k in {*before.raw_inputs, *after.raw_inputs} if before.raw_inputs.get(k) != after.raw_inputs.get(k)}
    no_work = after.type == "command:remote:CopyToRemote" or (
        after.type == "command:remote:Command" and after.raw_inputs.get("update") == NO_WORK_UPDATE)
    return keys == {"connection"} and no_work


def change_set(before: Evaluation, after: Evaluation) -> ChangeSet:
    """Updates that only store a new connection and run nothing on the node are not counted as changes."""
    continues = _continuations(before, after)
    old = before.by_urn()
    updated = {
        urn
        for urn, r in after.by_urn().items()
        if urn in continues
        and r.custom
        and _fingerprint(after, r) != _fingerprint(before, old[continues[urn]])
        and not _connection_only(old[continues[urn]], r)
    }
    names = {r.urn: r.name for r in (*before.resources, *after.resources)}
    return ChangeSet(
        created=frozenset(u for u in after.by_urn() if u not in continues),
        deleted=frozenset(set(old) - set(continues.values())),
        updated=frozenset(updated),
        names=names,
    )


@dataclass(frozen=True)
class Expected:
    """Hand-counted: each pattern (over resource names) with the number of resources it matches."""

    updated: Mapping[str, int] = field(default_factory=dict)
    created: Mapping[str, int] = field(default_factory=dict)
    deleted: Mapping[str, int] = field(default_factory=dict)

    def total(self, kind: str) -> int:
        return sum(getattr(self, kind).values())


KINDS = ("updated", "created", "deleted")


def mismatches(expected: Expected, changes: ChangeSet) -> list[str]:
    """Each way the evaluated change set differs from the hand count; empty when they agree."""
    problems: list[str] = []
    for kind in KINDS:
        patterns: Mapping[str, int] = getattr(expected, kind)
        names = changes.named(kind)
        for pattern, count in sorted(patterns.items()):
            matched = [n for n in names if fnmatchcase(n, pattern)]
            if len(matched) != count:
                problems.append(f"{kind} {pattern!r}: expected {count}, evaluated {len(matched)}: {matched[:20]}")
        stray = [n for n in names if not any(fnmatchcase(n, p) for p in patterns)]
        if stray:
            problems.append(f"{kind} but not expected ({len(stray)}): {stray[:40]}")
    return problems
