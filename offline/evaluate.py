"""Run the real program against the recording mock monitor and collect what it registered."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from cluster.program import build
from components import artifacts
from config.load import load, read_stack_file
from config.secrets import SecretValues
from config.spec import ClusterSpec
from offline.recorder import SECRET, UNKNOWN, RecordedResource, RecordingMonitor
from offline.sdk_cost import collector_paused, use_fast_stack_trace

use_fast_stack_trace()  # the same source positions, without reading every frame's source line

PROJECT = "goldentooth"
STACK = "goldentooth"


@dataclass(frozen=True)
class RenderedFile:
    node: str
    path: str
    content: str
    mode: str


@dataclass(frozen=True)
class Evaluation:
    spec: ClusterSpec
    resources: tuple[RecordedResource, ...]  # sorted by URN
    files: tuple[RenderedFile, ...]  # sorted by node and path
    preview: bool

    def by_urn(self) -> dict[str, RecordedResource]:
        return {r.urn: r for r in self.resources}


def evaluate_file(path: Path, *, preview: bool = False) -> Evaluation:
    plain, secrets = read_stack_file(path)
    return evaluate(plain, secrets, preview=preview, provider_config=_provider_config(path))


def _provider_config(path: Path) -> dict[str, Any]:
    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    config = document.get("config") or {}
    return {k: v for k, v in config.items() if ":" in k and not k.startswith(f"{PROJECT}:")}


def evaluate(
    plain: Mapping[str, Any],
    secrets: SecretValues,
    *,
    preview: bool = False,
    provider_config: Mapping[str, Any] | None = None,
) -> Evaluation:
    """Validate, then evaluate. Raises `ConfigError` (nothing registered) when the config is invalid."""
    spec, secrets = load(plain, secrets, require_secrets=False)
    monitor = RecordingMonitor()
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack=STACK, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in (provider_config or {}).items()}
    )
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    def program() -> None:
        build(spec, secrets)

    with artifacts.collecting() as sink, collector_paused():
        _sync_await(run_pulumi_func(program))
        files = tuple(sorted((_resolve(a) for a in sink.artifacts), key=lambda f: (f.node, f.path)))
    resources = tuple(sorted(monitor.recorded, key=lambda r: r.urn))
    return Evaluation(spec, resources, files, preview)


def _resolve(artifact: artifacts.Artifact) -> RenderedFile:
    output = pulumi.Output.from_input(artifact.content)

    async def read() -> str:
        if not await output.is_known():
            return UNKNOWN
        if await output.is_secret():
            return SECRET
        return str(await output.future())

    return RenderedFile(artifact.node, artifact.path, _sync_await(read()), artifact.mode)
