"""`goldentooth:lifecycle`: which incarnation of each node the stack converges (`goldentooth rebuild NODE`)."""

from collections.abc import Iterator, Set

from pydantic import Field

from config.base import ConfigModel
from config.errors import Violation


class LifecycleSpec(ConfigModel):
    # node -> how many times it was rebuilt (reflashed). A node's steps carry its generation in their triggers
    # once it is above 0, so a rebuild re-runs them from scratch; absent = 0, the plan of a never-rebuilt node.
    generations: dict[str, int] = Field(default_factory=dict)
    # The node whose `kubeadm init` step was unprotected on purpose so the bootstrap may move to the next control
    # plane (lifecycle/transitions.py): without it, a change of the init node is rejected.
    retired_kubeadm_init: str | None = None


def lifecycle_violations(spec: LifecycleSpec, node_names: Set[str]) -> Iterator[Violation]:
    for name, generation in sorted(spec.generations.items()):
        path = f"lifecycle.generations.{name}"
        if name not in node_names:
            yield Violation(path, f"{name} is not a node of the inventory")
        if generation < 0:
            yield Violation(path, f"generation {generation} is negative; a rebuild only ever counts up")
