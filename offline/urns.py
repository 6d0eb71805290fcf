"""URNs as the Pulumi engine forms them, and the former URNs a resource's `aliases` claim.

The SDK's mock monitor names a resource `<parent's last type>$<type>::<name>`; the engine uses the parent's
whole type chain (`Cluster$Kubernetes$HaproxyLoadBalancer$Command`) and leaves the root stack out. Whether a
refactor would replace resources on a real stack depends on the engine's URNs, so that is what these compute,
from the recorded tree (type, name, parent) and the recorded alias specs. The alias rules follow the engine:
an alias spec's empty fields default to the resource's own, and a child inherits each of its parent's former
URNs as a former parent of its own.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

ROOT_STACK = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class Entry:
    """What an engine URN is made of: a recorded resource's type, name, parent (mock URN) and alias specs."""

    urn: str
    type: str
    name: str
    parent: str
    aliases: tuple[Mapping[str, Any], ...] = ()


def _parts(urn: str) -> tuple[str, str, str, str]:
    """`urn:pulumi:<stack>::<project>::<qualified type>::<name>` (the name may itself contain `::`)."""
    head, project, qualified, name = urn.split("::", 3)
    return head.removeprefix("urn:pulumi:"), project, qualified, name


def qualified_type(urn: str) -> str:
    """The engine's qualified type of a URN, with the root stack (which the mock puts in front) left out."""
    qualified = _parts(urn)[2]
    if qualified == ROOT_STACK:
        return ""
    return qualified.removeprefix(f"{ROOT_STACK}$")


def make_urn(stack: str, project: str, parent_type: str, type_: str, name: str) -> str:
    qualified = f"{parent_type}${type_}" if parent_type else type_
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def normalize(urn: str) -> str:
    """A URN in the engine's form (the root stack dropped from the type chain)."""
    stack, project, _, name = _parts(urn)
    return f"urn:pulumi:{stack}::{project}::{qualified_type(urn)}::{name}"


class EngineUrns:
    """Engine URNs and former URNs of a set of recorded resources (plan entries or `RecordedResource`s)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = {e.urn: e for e in entries}
        self.engine_urn = cache(self._engine_urn)
        self.former = cache(self._former)

    def _stack_project(self, urn: str) -> tuple[str, str]:
        stack, project, _, _ = _parts(urn)
        return stack, project

    def _parent_type(self, entry: Entry) -> str:
        parent = self.entries.get(entry.parent)
        return qualified_type(self.engine_urn(parent.urn)) if parent is not None else ""

    def _engine_urn(self, urn: str) -> str:
        entry = self.entries[urn]
        return make_urn(*self._stack_project(urn), self._parent_type(entry), entry.type, entry.name)

    def _former(self, urn: str) -> frozenset[str]:
        """Every URN the engine would match this resource's old state under (its aliases)."""
        entry = self.entries[urn]
        stack, project = self._stack_project(urn)
        found: set[str] = set()
        inheritable: list[tuple[str, str]] = [(entry.type, entry.name)]
        for spec in entry.aliases:
            if "urn" in spec:
                found.add(normalize(spec["urn"]))
                continue
            type_, name = spec.get("type") or entry.type, spec.get("name") or entry.name
            if spec.get("noParent"):
                parent_type = ""
            elif spec.get("parentUrn"):
                parent_type = qualified_type(spec["parentUrn"])
            else:
                parent_type = self._parent_type(entry)
                inheritable.append((type_, name))
            found.add(make_urn(spec.get("stack") or stack, spec.get("project") or project, parent_type, type_, name))
        if entry.parent in self.entries:
            for former_parent in self.former(entry.parent):
                parent_type = qualified_type(former_parent)
                found.update(make_urn(stack, project, parent_type, t, n) for t, n in inheritable)
        found.discard(self.engine_urn(urn))
        return frozenset(found)


def entries_of(document: Mapping[str, Any]) -> list[Entry]:
    """Entries of a plan document (`goldentooth plan --json`) or of a baseline file."""
    return [
        Entry(r["urn"], r["type"], r["name"], r["parent"], tuple(r.get("aliases", ())))
        for r in document["resources"]
    ]
