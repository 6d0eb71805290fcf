"""What a real `pulumi up` from one evaluation (the state) to another (the program) would do, as the engine decides
it: resources created, deleted and updated (inputs that differ, less those in `ignore_changes`), and the order of
deletes (a resource is deleted before the resources it depends on in the state, and before its parent)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from offline.evaluate import Evaluation
from offline.recorder import RecordedResource

COMMAND = "command:remote:Command"


@dataclass(frozen=True)
class Delta:
    before: Evaluation
    after: Evaluation
    created: frozenset[str]
    deleted: frozenset[str]
    updated: frozenset[str]

    def deleted_commands(self) -> list[RecordedResource]:
        """The deleted commands that run something on delete (a stored `delete`)."""
        by = self.before.by_urn()
        return sorted((by[u] for u in self.deleted if by[u].type == COMMAND and by[u].inputs.get("delete")),
                      key=lambda r: r.urn)

    def runs_before(self, first: RecordedResource, then: RecordedResource) -> bool:
        """Whether the engine must finish deleting `first` before it deletes `then`: `first` depends on `then`
        (directly or through other resources) in the state."""
        seen: set[str] = set()
        todo = [first.urn]
        by = self.before.by_urn()
        while todo:
            urn = todo.pop()
            for dep in by[urn].dependencies:
                if dep == then.urn:
                    return True
                if dep not in seen and dep in by:
                    seen.add(dep)
                    todo.append(dep)
        return False


def _compared(resource: RecordedResource) -> dict[str, Any]:
    return {k: v for k, v in resource.raw_inputs.items() if k not in resource.ignore_changes}  # secrets too


def delta(before: Evaluation, after: Evaluation) -> Delta:
    old, new = before.by_urn(), after.by_urn()
    updated = {u for u in set(old) & set(new) if _compared(old[u]) != _compared(new[u])}
    return Delta(before, after, frozenset(set(new) - set(old)), frozenset(set(old) - set(new)), frozenset(updated))


def node_of(resource: RecordedResource) -> str:
    """The node a step is named after (`<node>-<step>`)."""
    return resource.name.split("-", 1)[0]


def names(resources: Iterable[RecordedResource]) -> list[str]:
    return sorted(r.name for r in resources)
