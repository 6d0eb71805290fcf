"""Costs of the Pulumi SDK that the offline evaluation does not need to pay (profiles: docs/performance.md).

- Garbage collection. An evaluation allocates millions of objects and keeps nearly all of them (the recorded
  resources and files reference them) while leaving few reference cycles behind, so every collection is wasted
  work: with the default thresholds the collector took about 40% of an evaluation's CPU time, and still a
  quarter with thresholds 200x higher, while the collector off costs 3.5% more peak memory at 1000 nodes.
  `collector_paused` switches it off for one evaluation; the cycles left are collected afterwards.
- Source positions. For every resource the SDK walks the whole Python stack with `traceback.extract_stack()`,
  which also reads each frame's source line (a `stat` per frame through linecache), and converts every file
  name to a URI with pathlib. `fast_stack_trace` builds the same `StackTrace` message from the frames alone
  with one URI conversion per file; tests/test_sdk_cost.py checks it equals the SDK's own.
- Waiting for outputs. Once the RPCs are done, the SDK's `wait_for_rpcs` calls
  `asyncio.wait(FIRST_COMPLETED)` over every pending output, again after each completion: each call adds and
  removes a done callback on every pending task, so the wait is quadratic in the outputs (627,000 callbacks
  for the 1231 resources of the real stack: 5% of a one-shot plan, and every later evaluation in the same
  process, as in the test suite, half as slow again as the first). `fast_wait_for_rpcs` puts
  one callback on each task per batch and wakes when all are done or one failed: the same order of RPCs, the
  same exceptions, linear work. `lean_output_track` spares each output the callback that untracks it.
- The cycle check. For every dependency edge the SDK walks all that the depended-on resource reaches (3 million
  steps for the 1464 resources of the real stack); `fast_declare_dependency` keeps a position per resource
  consistent with the edges and searches only where a new edge goes against it, and adds edges in place.
- Settings reads. `fast_context_property_get` reads a settings property's context variable once, not twice.
"""

import asyncio
import functools
import gc
import itertools
import pathlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import pulumi
import pulumi.runtime.resource as sdk_resource
import pulumi.runtime.resource_cycle_breaker as sdk_cycle_breaker
import pulumi.runtime.rpc as sdk_rpc
import pulumi.runtime.stack as sdk_stack
from pulumi._utils import ContextProperty
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.settings import SETTINGS


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection while the block runs; the collector is as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.cache
def _uri(filename: str) -> str | None:
    """`pathlib.Path(filename).as_uri()`, or None where the SDK would return no position (relative, empty)."""
    if not filename:
        return None
    try:
        return pathlib.Path(filename).as_uri()
    except BaseException:  # as the SDK does: a position is optional
        return None


def _frame(frame: FrameType) -> source_pb2.StackFrame:
    uri = _uri(frame.f_code.co_filename)
    if uri is None or frame.f_lineno is None:
        return source_pb2.StackFrame()
    return source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=uri, line=frame.f_lineno))


def fast_stack_trace() -> source_pb2.StackTrace:
    """`pulumi.runtime.resource._get_stack_trace`, without reading source lines: the frames older than the third
    `__init__` from the top (Resource, Custom/ComponentResource, the concrete class), the newest first."""
    frames: list[FrameType] = []
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    inits = [i for i, f in enumerate(frames) if f.f_code.co_name == "__init__"]
    # The SDK's `i < 1`: fewer than three constructors, or nothing older than the third.
    if len(inits) < 3 or inits[2] >= len(frames) - 1:
        return source_pb2.StackTrace()
    return source_pb2.StackTrace(frames=[_frame(f) for f in frames[inits[2] + 1:]])


SDK_STACK_TRACE = sdk_resource._get_stack_trace


def use_fast_stack_trace() -> None:
    """Make the SDK build source positions with `fast_stack_trace` (for this process)."""
    sdk_resource._get_stack_trace = fast_stack_trace


SDK_WAIT_FOR_RPCS = sdk_stack.wait_for_rpcs


async def _first_failure_or_all(tasks: list[asyncio.Task[object]]) -> None:
    """Return once every task is done, or as soon as one of them raised (as FIRST_COMPLETED would surface it)."""
    woken = asyncio.get_running_loop().create_future()
    left = len(tasks)

    def done(task: asyncio.Task[object]) -> None:
        nonlocal left
        left -= 1
        failed = task.cancelled() or task.exception() is not None
        if not woken.done() and (left == 0 or failed):
            woken.set_result(None)

    for task in tasks:
        task.add_done_callback(done)
    try:
        await woken
    finally:
        for task in tasks:
            task.remove_done_callback(done)


async def fast_wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
    """`pulumi.runtime.stack.wait_for_rpcs` with linear work per batch of outputs: RPCs are drained by the
    SDK's own loop, then each batch of outputs is awaited at once; a failed output re-raises at once."""
    while True:
        await SDK_WAIT_FOR_RPCS(await_all_outstanding_tasks=False)
        if not await_all_outstanding_tasks:
            return
        with SETTINGS.lock:
            pending: list[asyncio.Task[object]] = list(SETTINGS.outputs)
            SETTINGS.outputs.clear()
        if not pending:
            return
        for task in pending:
            if task.done():
                task.result()  # re-raises a failure (or the cancellation), as the SDK's `await task` does
        waiting = [t for t in pending if not t.done()]
        if waiting:
            await _first_failure_or_all(waiting)
        for task in waiting:
            if task.done():
                task.result()
        with SETTINGS.lock:
            SETTINGS.outputs.update(t for t in waiting if not t.done())


def use_fast_output_wait() -> None:
    """Make the SDK wait for outputs with `fast_wait_for_rpcs` (for this process)."""
    sdk_stack.wait_for_rpcs = fast_wait_for_rpcs


SDK_OUTPUT_TRACK = pulumi.Output._track


def lean_output_track(self: "pulumi.Output[Any]") -> None:
    """`Output._track` without its done callback. The SDK adds every output's future to `SETTINGS.outputs`, for
    `wait_for_rpcs` to await before the program ends, and schedules a callback per output (a loop iteration
    each: a third of the callbacks of an evaluation) to remove it again once it succeeded. `fast_wait_for_rpcs`
    takes finished futures as they are (raising a failed one's error, as the SDK's wait does), so they may stay."""
    with SETTINGS.lock:
        SETTINGS.outputs.add(self._data)


def use_lean_output_track() -> None:
    """Track outputs with `lean_output_track` (for this process; only together with `fast_wait_for_rpcs`)."""
    pulumi.Output._track = lean_output_track  # type: ignore[method-assign]


SDK_DECLARE_DEPENDENCY = sdk_cycle_breaker.declare_dependency  # what rpc.py imported by name
_DEPENDENTS = "_goldentooth_dependents"  # the resources that declared a dependency on this one
_ORDER = "_goldentooth_order"  # a position consistent with every recorded edge: a dependency comes first
_later = itertools.count()  # positions after every one given so far
_earlier = itertools.count(-1, -1)  # positions before every one given so far


def _order(resource: Any, *, first_seen: Iterator[int] = _later) -> int:
    """The resource's position; one seen for the first time has no edges yet, so any position is consistent,
    and it takes the one that spares a reordering: a depending resource goes after all, a depended-on one
    before all."""
    order: int | None = getattr(resource, _ORDER, None)
    if order is None:
        order = next(first_seen)
        setattr(resource, _ORDER, order)
    return order


def _dependents(resource: Any) -> Any:
    return getattr(resource, _DEPENDENTS, ())


def _reach(start: Any, step: Any, keep: Any, stop: Any) -> list[Any] | None:
    """What `step` reaches from `start` among the resources `keep` admits; None when it reaches `stop`."""
    seen, pending = {start}, [start]
    while pending:
        for neighbour in step(pending.pop()):
            if neighbour is stop:
                return None
            if neighbour not in seen and keep(neighbour):
                seen.add(neighbour)
                pending.append(neighbour)
    return list(seen)


def _closes_cycle(from_resource: Any, to_resource: Any) -> bool:
    """Whether `to_resource` is `from_resource` or (transitively) depends on it; if not, the positions are
    rearranged so that `to_resource` comes before `from_resource` (Pearce and Kelly's dynamic topological order).
    When `to_resource` already comes first, no path can lead back (every edge points to an earlier position), so
    the answer costs nothing: the usual case, where the resource being registered depends on older ones. Else
    only the resources between the two positions are searched and reordered."""
    if from_resource is to_resource:
        return True
    lower, upper = _order(from_resource), _order(to_resource, first_seen=_earlier)
    if upper < lower:
        return False
    after = _reach(from_resource, _dependents, lambda r: _order(r) <= upper, to_resource)  # what depends on from
    if after is None:
        return True
    before = _reach(to_resource, sdk_cycle_breaker._deps, lambda r: _order(r) >= lower, None)  # what to depends on
    assert before is not None
    moved = sorted(before, key=_order) + sorted(after, key=_order)  # dependencies first, each side keeping its order
    for resource, order in zip(moved, sorted(_order(r) for r in moved), strict=True):
        setattr(resource, _ORDER, order)
    return False


def fast_declare_dependency(from_resource: Any, to_resource: Any) -> bool:
    """`resource_cycle_breaker.declare_dependency` (record `from_resource -> to_resource` unless that closes a
    cycle) without walking the graph where no cycle can close. The SDK walks everything `to_resource` depends on,
    transitively (most of the stack: the older a resource, the longer its chains), to see whether `from_resource`
    is among it; here a position per resource, kept consistent with the edges, answers most declarations at once
    (`_closes_cycle`). Every edge is declared here, so the recorded dependents are complete; both edge sets grow in
    place (`_add_edge`)."""
    if _closes_cycle(from_resource, to_resource):
        return False
    _add_edge(from_resource, sdk_cycle_breaker._DEPENDENCIES_PROPERTY, to_resource)
    _add_edge(to_resource, _DEPENDENTS, from_resource)
    return True


def _add_edge(resource: Any, attribute: str, other: Any) -> None:
    """Add `other` to the resource's set in place. The SDK's `_add_dep` builds a new set per edge (so that its
    generator walk never sees a set change under it): quadratic in a resource's dependencies, and a few resources
    (the cluster-wide configs and the rollout) depend on something of every node. Nothing here iterates a set
    while an edge is added."""
    edges: set[Any] | None = getattr(resource, attribute, None)
    if edges is None:
        setattr(resource, attribute, {other})
    else:
        edges.add(other)


def use_fast_cycle_check() -> None:
    """Make the SDK record dependencies with `fast_declare_dependency` (for this process)."""
    vars(sdk_rpc)["declare_dependency"] = fast_declare_dependency  # rpc.py calls it by its imported name


SDK_CONTEXT_PROPERTY_GET = ContextProperty.__get__


def fast_context_property_get(self: ContextProperty, obj: object, _: object) -> Any:
    """`ContextProperty.__get__` reading its context variable once instead of twice (the SDK's settings are read
    a few hundred thousand times per evaluation)."""
    if obj is None:
        return self
    value = self._data.get(self._ContextProperty__default)  # type: ignore[attr-defined]
    return self if isinstance(value, dict) else value


def use_fast_settings() -> None:
    """Make the SDK's settings properties read with `fast_context_property_get` (for this process)."""
    ContextProperty.__get__ = fast_context_property_get  # type: ignore[method-assign]


def install_all() -> None:
    """Every fast path above, for this process: what the offline evaluator runs the SDK with."""
    use_fast_stack_trace()  # the same source positions, without reading every frame's source line
    use_fast_output_wait()  # the same outputs, without re-arming a callback on every pending one after each
    use_fast_cycle_check()  # the same dependency edges, without walking the graph where no cycle can close
    use_fast_settings()  # the same settings, each read once per access instead of twice
    use_lean_output_track()  # no callback per output to untrack it: the fast wait takes finished ones as they are
