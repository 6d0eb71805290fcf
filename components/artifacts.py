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

    def record(self, artifact: Artifact) -> None:
        self.artifacts.append(artifact)


_current: ContextVar[ArtifactSink | None] = ContextVar("goldentooth_artifact_sink", default=None)


def record(node: str, path: str, content: pulumi.Input[str], mode: str = "0644") -> None:
    sink = _current.get()
    if sink is not None:
        sink.record(Artifact(node, path, content, mode))


@contextmanager
def collecting() -> Iterator[ArtifactSink]:
    sink = ArtifactSink()
    token = _current.set(sink)
    try:
        yield sink
    finally:
        _current.reset(token)
