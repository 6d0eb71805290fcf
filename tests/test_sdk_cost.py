"""The offline evaluator's cheaper SDK paths give the SDK's own results (offline/sdk_cost.py)."""

import gc
from typing import Any

import pytest
from pulumi._utils import ContextProperty
from pulumi.runtime.proto import source_pb2

from offline import sdk_cost
from offline.evaluate import Evaluation


def _both() -> tuple[source_pb2.StackTrace, source_pb2.StackTrace]:
    # Both are called from this one frame, so every frame they report lies at the same line.
    return sdk_cost.SDK_STACK_TRACE(), sdk_cost.fast_stack_trace()


class _Resource:
    def __init__(self) -> None:
        self.traces = _both()


class _Custom(_Resource):
    def __init__(self) -> None:
        super().__init__()


class _Concrete(_Custom):
    def __init__(self) -> None:
        super().__init__()


def _user_code() -> _Concrete:
    return _Concrete()


def test_the_fast_stack_trace_is_the_sdks_own_for_a_resource_constructor() -> None:
    sdk, fast = _user_code().traces
    assert len(fast.frames) > 2  # this function, _user_code, pytest's frames below
    assert fast.frames[1].pc.uri.endswith("/tests/test_sdk_cost.py")
    assert fast == sdk


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_the_fast_stack_trace_is_empty_where_the_sdks_is(depth: int) -> None:
    """Fewer than three constructors on the stack: the SDK reports no frames, nor does the fast path."""
    def nested(level: int) -> tuple[source_pb2.StackTrace, source_pb2.StackTrace]:
        return _both() if level == 0 else nested(level - 1)

    sdk, fast = nested(depth)
    assert sdk == fast == source_pb2.StackTrace()


def test_the_evaluator_uses_the_fast_stack_trace(real_evaluation: Evaluation) -> None:
    import pulumi.runtime.resource

    assert real_evaluation.resources
    assert pulumi.runtime.resource._get_stack_trace is sdk_cost.fast_stack_trace


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_for_the_block_and_as_it_was_after_even_on_error(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with pytest.raises(RuntimeError), sdk_cost.collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("boom")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def _chained_program(fail: bool) -> None:
    """Resources registered inside applies of other resources' outputs, three deep, and one output that raises."""
    import pulumi
    from pulumi_random import RandomString

    first = RandomString("first", length=4)

    def second(value: str) -> str:
        nested = RandomString(f"second-{len(value)}", length=5)
        nested.result.apply(lambda v: RandomString(f"third-{len(v)}", length=6))
        if fail:
            raise RuntimeError("an output failed")
        return value

    first.result.apply(second)
    pulumi.Output.from_input("x").apply(lambda v: v * 2)


@pytest.mark.parametrize(("wait", "track"), [("sdk", "sdk"), ("fast", "sdk"), ("fast", "lean")])
def test_the_fast_output_wait_registers_what_the_sdks_does_and_raises_its_failures(
    wait: str, track: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pulumi
    import pulumi.runtime.stack as sdk_stack

    from offline.recorder import record

    monkeypatch.setattr(sdk_stack, "wait_for_rpcs",
                        sdk_cost.SDK_WAIT_FOR_RPCS if wait == "sdk" else sdk_cost.fast_wait_for_rpcs)
    monkeypatch.setattr(pulumi.Output, "_track",
                        sdk_cost.SDK_OUTPUT_TRACK if track == "sdk" else sdk_cost.lean_output_track)
    names = sorted(r.name.split("-")[0] for r in record(lambda: _chained_program(fail=False)))
    assert names == ["first", "second", "third"]
    with pytest.raises(RuntimeError, match="an output failed"):
        record(lambda: _chained_program(fail=True))


def test_the_evaluator_uses_the_fast_output_wait_and_lean_tracking(real_evaluation: Evaluation) -> None:
    import pulumi
    import pulumi.runtime.stack as sdk_stack

    assert sdk_stack.wait_for_rpcs is sdk_cost.fast_wait_for_rpcs
    assert vars(pulumi.Output)["_track"] is sdk_cost.lean_output_track
    assert len(real_evaluation.resources) > 1000  # and the real stack evaluated under it


class _Node:
    """A stand-in for a Resource: the cycle breaker only needs identity and attributes."""

    def __init__(self, name: str) -> None:
        self.name = name


def _declarations(seed: int, nodes: int, count: int) -> list[tuple[int, int]]:
    import random

    rng = random.Random(seed)
    return [(rng.randrange(nodes), rng.randrange(nodes)) for _ in range(count)]  # self-edges and cycles included


# Dense: cycles close early and often. Sparse: long chains form first, and a declaration whose depended-on
# resource was first seen later than the depending one rearranges the positions the fast check keeps.
@pytest.mark.parametrize(("nodes", "count"), [(12, 120), (80, 160), (300, 900)])
@pytest.mark.parametrize("seed", range(20))
def test_the_fast_cycle_check_declares_and_refuses_what_the_sdks_does(seed: int, nodes: int, count: int) -> None:
    from pulumi.runtime import resource_cycle_breaker

    sdk_nodes: list[Any] = [_Node(str(i)) for i in range(nodes)]
    fast_nodes: list[Any] = [_Node(str(i)) for i in range(nodes)]
    results = []
    for a, b in _declarations(seed, nodes, count):
        expected = sdk_cost.SDK_DECLARE_DEPENDENCY(sdk_nodes[a], sdk_nodes[b])
        assert sdk_cost.fast_declare_dependency(fast_nodes[a], fast_nodes[b]) is expected, (a, b)
        results.append(expected)
    # the random declarations exercised both a declared edge and a refused cycle
    assert set(results) == {True, False}, results
    for sdk, fast in zip(sdk_nodes, fast_nodes, strict=True):
        names = [{n.name for n in resource_cycle_breaker._deps(node)} for node in (sdk, fast)]  # type: ignore[attr-defined]
        assert names[0] == names[1]


def _depends_on_its_own_parent() -> None:
    import pulumi
    from pulumi_random import RandomString

    parent = pulumi.ComponentResource("test:index:Group", "group")
    RandomString("inner", length=4, opts=pulumi.ResourceOptions(parent=parent, depends_on=[parent]))


@pytest.mark.parametrize("check", ["sdk", "fast"])
def test_the_fast_cycle_check_stops_a_program_with_a_cycle_as_the_sdks_does(
    check: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pulumi.runtime.rpc as sdk_rpc

    from offline.recorder import record

    declare = sdk_cost.SDK_DECLARE_DEPENDENCY if check == "sdk" else sdk_cost.fast_declare_dependency
    monkeypatch.setitem(vars(sdk_rpc), "declare_dependency", declare)
    with pytest.raises(RuntimeError, match="circular dependency"):
        record(_depends_on_its_own_parent)
    # The stopped program leaves pending tasks behind: finalise them here, not inside a later compile (CPython
    # 3.11.7 then fails with "AST constructor recursion depth mismatch").
    gc.collect()


class _Holder:
    plain = ContextProperty(name="test-plain", default="default")
    mapping = ContextProperty(name="test-mapping", default={"a": 1})
    unset = ContextProperty(name="test-unset")


@pytest.mark.parametrize("attribute", ["plain", "mapping", "unset"])
def test_the_fast_settings_read_gives_what_the_sdks_does(attribute: str) -> None:
    holder = _Holder()
    descriptor = vars(_Holder)[attribute]
    for owner in (holder, None):
        sdk = sdk_cost.SDK_CONTEXT_PROPERTY_GET(descriptor, owner, _Holder)
        fast = sdk_cost.fast_context_property_get(descriptor, owner, _Holder)
        assert fast is sdk
    setattr(holder, attribute, "set")  # the SDK's fset: a value set once becomes the default too
    assert sdk_cost.fast_context_property_get(descriptor, holder, _Holder) == "set"
    assert sdk_cost.SDK_CONTEXT_PROPERTY_GET(descriptor, holder, _Holder) == "set"


def test_the_evaluator_uses_the_fast_cycle_check_and_settings_read(real_evaluation: Evaluation) -> None:
    import pulumi.runtime.rpc as sdk_rpc

    assert vars(sdk_rpc)["declare_dependency"] is sdk_cost.fast_declare_dependency
    assert vars(ContextProperty)["__get__"] is sdk_cost.fast_context_property_get
    assert len(real_evaluation.resources) > 1000


def test_the_fast_cycle_check_searches_nothing_when_a_resource_depends_on_older_or_unseen_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The usual order of a program: each resource registered depends on resources registered before it, some of
    them never seen in a declaration yet (they depend on nothing). Positions answer every one of these at once;
    a walk per declaration grew with the stack (the 1000-node benchmark) and is what the positions replace."""
    import random

    searches: list[object] = []
    reach = sdk_cost._reach

    def counted(*args: Any) -> Any:
        searches.append(args)
        return reach(*args)

    monkeypatch.setattr(sdk_cost, "_reach", counted)
    rng = random.Random(7)
    nodes: list[Any] = [_Node(str(i)) for i in range(400)]
    for index in range(1, len(nodes)):
        for older in {index - 1, *rng.sample(range(index), min(index, 3))}:
            assert sdk_cost.fast_declare_dependency(nodes[index], nodes[older])
    assert searches == []
    # and a declaration against that order is still searched, and refused when it closes a cycle
    assert sdk_cost.fast_declare_dependency(nodes[0], nodes[399]) is False
    assert len(searches) == 1
