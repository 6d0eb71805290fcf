"""A mock monitor that records what the program asked the engine for: parents, every dependency edge,
resource options and the inputs with secrets redacted. The SDK's own `MockMonitor` does the rest."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks, rpc
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components import artifacts
from offline import placeholders

SECRET = "[secret]"
UNKNOWN = "[unknown]"
PROJECT = "goldentooth"
STACK = "goldentooth"


@dataclass(frozen=True)
class RecordedResource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    dependencies: tuple[str, ...]
    property_dependencies: dict[str, tuple[str, ...]]
    inputs: dict[str, Any]  # secrets replaced by "[secret]"
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    provider: str
    additional_secret_outputs: tuple[str, ...]
    deleted_with: str
    ignore_changes: tuple[str, ...]
    replace_on_changes: tuple[str, ...]
    # Former identities (`aliases`): a full URN, or a spec whose empty fields mean "as this resource".
    aliases: tuple[dict[str, Any], ...]
    raw_inputs: dict[str, Any] = field(repr=False, compare=False)  # secrets revealed: for the lab only, never printed


def redact(value: Any) -> Any:
    """Replace secret-wrapped values with a marker; unwrap resource references to their URN."""
    if isinstance(value, dict):
        sig = value.get(rpc._special_sig_key)
        if sig == rpc._special_secret_sig:
            return SECRET
        if sig == rpc._special_resource_sig:
            return value.get("urn", "")
        if sig in (rpc._special_asset_sig, rpc._special_archive_sig):
            return {k: v for k, v in value.items() if k != rpc._special_sig_key}
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if value == rpc.UNKNOWN:
        return UNKNOWN
    return value


def reveal(value: Any) -> Any:
    if isinstance(value, dict):
        sig = value.get(rpc._special_sig_key)
        if sig == rpc._special_secret_sig:
            return reveal(value.get("value"))
        if sig == rpc._special_resource_sig:
            return value.get("urn", "")
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def _alias(alias: Any) -> dict[str, Any]:
    if alias.urn:
        return {"urn": alias.urn}
    spec = json_format.MessageToDict(alias.spec, preserving_proto_field_name=True)
    return {k: spec[k] for k in ("name", "type", "stack", "project", "parentUrn", "noParent") if k in spec}


class PlaceholderMocks(mocks.Mocks):
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom:
            return None, {}
        return placeholders.resource_id(args.typ, args.name), placeholders.outputs_for(args.typ, args.name, args.inputs)

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        answer = placeholders.INVOKES.get(args.token)
        if answer is None:
            raise KeyError(f"offline evaluation has no placeholder for invoke {args.token}; add one in offline/placeholders.py")
        return answer(args.args), []  # no check failures (None here breaks the SDK: it iterates them)


class RecordingMonitor(mocks.MockMonitor):
    def __init__(self) -> None:
        super().__init__(PlaceholderMocks())
        self.recorded: list[RecordedResource] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == "pulumi:pulumi:Stack":
            return response
        raw = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
        prop_deps = {k: tuple(sorted(set(v.urns))) for k, v in request.propertyDependencies.items()}
        deps = set(request.dependencies)
        for urns in prop_deps.values():
            deps.update(urns)
        deps.discard("")
        self.recorded.append(
            RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                dependencies=tuple(sorted(deps)),
                property_dependencies={k: v for k, v in sorted(prop_deps.items()) if v},
                inputs=redact(raw),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                delete_before_replace=bool(request.deleteBeforeReplace),
                provider=request.provider,
                additional_secret_outputs=tuple(request.additionalSecretOutputs),
                deleted_with=request.deletedWith,
                ignore_changes=tuple(request.ignoreChanges),
                replace_on_changes=tuple(request.replaceOnChanges),
                aliases=tuple(_alias(a) for a in request.aliases),
                raw_inputs=reveal(raw),
            )
        )
        return response


@contextmanager
def recording(*, preview: bool = False, config: Mapping[str, Any] | None = None) -> Iterator[RecordingMonitor]:
    """The one mock-monitor setup: a fresh recording monitor for project and stack `goldentooth`, provider
    config (`aws:region`, ...) set, the SDK's per-run state cleared, and an artifact sink (an evaluation's own,
    installed inside, takes precedence). Run programs with `run` inside."""
    import json

    monitor = RecordingMonitor()
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack=STACK, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config({k: v if isinstance(v, str) else json.dumps(v) for k, v in (config or {}).items()})
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    # Under mocks nothing is for a real engine: a shared file (components/shared_file.py) is recorded, not
    # written into the working directory, also for tests that record one component without an evaluation.
    with artifacts.collecting():
        yield monitor


def run(program: Callable[[], object]) -> None:
    """Run `program` to completion under the monitor `recording` set up (exceptions propagate)."""

    def body() -> None:
        program()

    _sync_await(run_pulumi_func(body))


def record(program: Callable[[], object], *, preview: bool = False,
           config: Mapping[str, Any] | None = None) -> tuple[RecordedResource, ...]:
    """What `program` registers, sorted by URN: for tests of one component built from its Args."""
    with recording(preview=preview, config=config) as monitor:
        run(program)
    return tuple(sorted(monitor.recorded, key=lambda r: r.urn))
