"""Run the real program against the recording mock monitor and collect what it registered."""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.sync_await import _sync_await

from cluster.program import build
from components import artifacts
from config.load import load, read_stack
from config.secrets import SecretValues
from config.spec import ClusterSpec
from offline.recorder import PROJECT, SECRET, UNKNOWN, RecordedResource, recording, run
from offline.sdk_cost import collector_paused, install_all

install_all()  # the SDK's registration path without the costs the offline evaluation need not pay

__all__ = ["PROJECT", "Evaluation", "RenderedFile", "depends_directly", "evaluate", "evaluate_file"]


@dataclass(frozen=True)
class RenderedFile:
    node: str
    path: str
    content: str
    mode: str


def depends_directly(later: RecordedResource, earlier: RecordedResource) -> bool:
    """`later` names `earlier` among its own dependencies (depends_on or a property dependency)."""
    return earlier.urn in later.dependencies


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation registered, and the one query API tests and commands read it through."""

    spec: ClusterSpec
    resources: tuple[RecordedResource, ...]  # sorted by URN
    files: tuple[RenderedFile, ...]  # sorted by node and path
    preview: bool
    program: Any = field(default=None, compare=False, repr=False)  # what build() returned: the `Cluster`

    @cached_property
    def _by_urn(self) -> dict[str, RecordedResource]:
        return {r.urn: r for r in self.resources}

    def by_urn(self) -> dict[str, RecordedResource]:
        return dict(self._by_urn)

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str, type_: str | None = None) -> RecordedResource:
        """The one resource called `name` (of `type_`, if given); anything else is an AssertionError."""
        found = [r for r in self.resources if r.name == name and (type_ is None or r.type == type_)]
        assert len(found) == 1, f"expected one resource named {name!r} ({type_ or 'any type'}), found {len(found)}"
        return found[0]

    def one(self, type_: str, name: str) -> RecordedResource:
        return self.named(name, type_)

    def command(self, name: str) -> RecordedResource:
        return self.named(name, "command:remote:Command")

    def file(self, node: str, path: str) -> str:
        found = [f.content for f in self.files if f.node == node and f.path == path]
        assert len(found) == 1, f"expected one rendered file {node}:{path}, found {len(found)}"
        return found[0]

    def ancestors(self, resource: RecordedResource) -> Iterator[RecordedResource]:
        current = self._by_urn.get(resource.parent)
        while current is not None:
            yield current
            current = self._by_urn.get(current.parent)

    def within(self, resource: RecordedResource, component_type: str) -> bool:
        return any(a.type == component_type for a in self.ancestors(resource))

    def provider_of(self, resource: RecordedResource) -> RecordedResource:
        """The recorded provider resource a reference (`<urn>::<id>`) points at."""
        assert resource.provider, f"{resource.urn} uses the ambient default provider"
        return self._by_urn[resource.provider.rsplit("::", 1)[0]]

    def waits_for(self, later: RecordedResource, earlier: RecordedResource) -> bool:
        """`later` reaches `earlier` through recorded dependency edges, directly or through others."""
        seen: set[str] = set()
        stack = list(later.dependencies)
        while stack:
            urn = stack.pop()
            if urn == earlier.urn:
                return True
            if urn in seen:
                continue
            seen.add(urn)
            node = self._by_urn.get(urn)
            if node is not None:
                stack.extend(node.dependencies)
        return False


def evaluate_file(path: Path, *, preview: bool = False) -> Evaluation:
    plain, secrets, providers = read_stack(path)  # parsed once: the provider config comes from the same read
    return evaluate(plain, secrets, preview=preview, provider_config=providers)


def evaluate(
    plain: Mapping[str, Any],
    secrets: SecretValues,
    *,
    preview: bool = False,
    provider_config: Mapping[str, Any] | None = None,
) -> Evaluation:
    """Validate, then evaluate. Raises `ConfigError` (nothing registered) when the config is invalid."""
    spec, secrets = load(plain, secrets, require_secrets=False)
    built: list[object] = []
    with recording(preview=preview, config=provider_config) as monitor, artifacts.collecting() as sink, \
            collector_paused():
        run(lambda: built.append(build(spec, secrets)))
        files = tuple(sorted(_resolve_all(sink.artifacts), key=lambda f: (f.node, f.path)))
    resources = tuple(sorted(monitor.recorded, key=lambda r: r.urn))
    return Evaluation(spec, resources, files, preview, built[0] if built else None)


def _resolve_all(found: Iterable[artifacts.Artifact]) -> list[RenderedFile]:
    """Every rendered file's text, in one pass of the event loop (not one `run_until_complete` per file)."""
    listed = list(found)

    async def read(content: object) -> str:
        output = pulumi.Output.from_input(content)
        if not await output.is_known():
            return UNKNOWN
        if await output.is_secret():
            return SECRET
        return str(await output.future())

    async def read_all() -> list[str]:
        return [await read(a.content) for a in listed]

    return [RenderedFile(a.node, a.path, text, a.mode) for a, text in zip(listed, _sync_await(read_all()), strict=True)]
