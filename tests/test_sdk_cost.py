"""The offline evaluator's cheaper SDK paths give the SDK's own results (offline/sdk_cost.py)."""

import gc

import pytest
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


@pytest.mark.parametrize("wait", ["sdk", "fast"])
def test_the_fast_output_wait_registers_what_the_sdks_does_and_raises_its_failures(
    wait: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pulumi.runtime.stack as sdk_stack

    from offline.recorder import record

    monkeypatch.setattr(sdk_stack, "wait_for_rpcs",
                        sdk_cost.SDK_WAIT_FOR_RPCS if wait == "sdk" else sdk_cost.fast_wait_for_rpcs)
    names = sorted(r.name.split("-")[0] for r in record(lambda: _chained_program(fail=False)))
    assert names == ["first", "second", "third"]
    with pytest.raises(RuntimeError, match="an output failed"):
        record(lambda: _chained_program(fail=True))


def test_the_evaluator_uses_the_fast_output_wait(real_evaluation: Evaluation) -> None:
    import pulumi.runtime.stack as sdk_stack

    assert sdk_stack.wait_for_rpcs is sdk_cost.fast_wait_for_rpcs
    assert len(real_evaluation.resources) > 1000  # and the real stack evaluated under it
