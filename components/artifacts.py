"""A sink for every file the program puts on a node or applies to the cluster, so `goldentooth render` can show them.

In a real `pulumi up` no sink is installed and recording is a no-op. The offline evaluator installs one for
the duration of an evaluation. Secret values never reach the sink: callers record templates whose secrets
are still placeholders.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import pulumi

CLUSTER = "cluster"  # the pseudo-node that holds manifests and cloud-side files


@dataclass(frozen=True)
class Artifact:
    node: str
    path: str  # absolute path on the node, or a path under cluster/
    content: pulumi.Input[str]
    mode: str = "0644"


@dataclass
class ArtifactSink:
    artifacts: list[Artifact] = field(default_factory=list)
    _keys: set[tuple[str, str]] = field(default_factory=set)

    def record(self, artifact: Artifact) -> None:
        self.artifacts.append(artifact)
        self._keys.add((artifact.node, artifact.path))

    def has(self, node: str, path: str) -> bool:
        return (node, path) in self._keys


_current: ContextVar[ArtifactSink | None] = ContextVar("goldentooth_artifact_sink", default=None)


def record(node: str, path: str, content: pulumi.Input[str], mode: str = "0644") -> None:
    sink = _current.get()
    if sink is not None:
        sink.record(Artifact(node, path, content, mode))


def record_once(node: str, path: str, content: str, mode: str = "0644") -> None:
    """Like `record`, for a file many callers share (components.shared_file): kept once per node and path."""
    sink = _current.get()
    if sink is not None and not sink.has(node, path):
        sink.record(Artifact(node, path, content, mode))


def collecting_now() -> bool:
    """An evaluator is collecting (offline): nothing is to be written for a real engine."""
    return _current.get() is not None


@contextmanager
def collecting() -> Iterator[ArtifactSink]:
    sink = ArtifactSink()
    token = _current.set(sink)
    try:
        yield sink
    finally:
        _current.reset(token)
