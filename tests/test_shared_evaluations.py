"""Evaluations shared across tests (tests/shared_evaluations.py): one per distinct input, read-only, never
shared with a test that patches code."""

import copy
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest

import offline.evaluate as evaluate_module
from config.secrets import SecretValues
from offline.evaluate import Evaluation
from tests import shared_evaluations as shared
from tests.conftest import fake_secret_values

NESTED = {"a": [1, {"b": [2, 3]}, "c"], "d": {"e": None}}


def test_a_frozen_value_refuses_every_change_and_reads_as_the_plain_one() -> None:
    value = shared.frozen(NESTED)
    assert value == NESTED and json.dumps(value, sort_keys=True) == json.dumps(NESTED, sort_keys=True)
    assert isinstance(value, dict) and isinstance(value["a"], list)
    changes: list[Callable[[], object]] = [
        lambda: value.__setitem__("x", 1), lambda: value.pop("a"), lambda: value.update(x=1),
        lambda: value.setdefault("x", 1), lambda: value.clear(), lambda: value["a"].append(4),
        lambda: value["a"][1]["b"].__setitem__(0, 9), lambda: value["a"].sort(), lambda: value["d"].popitem(),
    ]
    for change in changes:
        with pytest.raises(TypeError, match="read-only"):
            change()
    assert value == NESTED


def test_a_frozen_value_dumps_to_yaml_as_the_plain_one() -> None:
    import yaml

    value = shared.frozen(NESTED)
    assert yaml.safe_dump(value) == yaml.safe_dump(NESTED) and yaml.dump(value) == yaml.dump(NESTED)


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_a_copy_of_a_frozen_value_is_plain_and_mutable(how: str) -> None:
    value = shared.frozen(NESTED)
    copies: dict[str, Callable[[Any], Any]] = {"copy": copy.copy, "deepcopy": copy.deepcopy,
              "pickle": lambda v: pickle.loads(pickle.dumps(v))}
    copied = copies[how](value)
    assert copied == NESTED and type(copied) is dict
    copied["x"] = 1
    if how != "copy":
        copied["a"][1]["b"].append(4)
        assert type(copied["a"]) is list
    assert value == NESTED


def test_the_real_evaluations_are_shared_and_read_only(
    real_evaluation: Evaluation, evaluate_edited: Any
) -> None:
    def region(plain: dict[str, Any]) -> None:
        plain["aws"]["region"] = "eu-west-1"

    def nothing(_: dict[str, Any]) -> None:
        """The identity edit: the stack as it is."""

    edited = evaluate_edited(region)
    assert evaluate_edited(region) is edited  # the same edit: evaluated once
    again = evaluate_edited(nothing)  # an edit that changes nothing asks for a second evaluation
    assert again is not real_evaluation and again == real_evaluation
    step = next(r for r in real_evaluation.resources if r.type == "command:remote:Command")
    with pytest.raises(TypeError, match="read-only"):
        step.inputs["create"] = "changed"
    with pytest.raises(TypeError, match="read-only"):
        step.raw_inputs.clear()


def test_the_key_covers_the_config_secrets_preview_providers_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = fake_secret_values()
    base = shared.input_key({"a": 1}, secrets, False, None)
    assert shared.input_key({"a": 1}, secrets, False, None) == base
    assert shared.input_key({"a": 2}, secrets, False, None) != base
    assert shared.input_key({"a": 1}, SecretValues({}), False, None) != base
    assert shared.input_key({"a": 1}, secrets, True, None) != base
    assert shared.input_key({"a": 1}, secrets, False, {"aws:region": "eu-west-1"}) != base
    monkeypatch.setenv("GOLDENTOOTH_SOMETHING", "1")
    with_env = shared.input_key({"a": 1}, secrets, False, None)
    assert with_env != base
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "another test")  # which test asks is no part of it
    assert shared.input_key({"a": 1}, secrets, False, None) == with_env


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake(plain: Any, secrets: Any, **_: Any) -> Evaluation:
        calls.append(plain)
        return Evaluation(spec=None, resources=(), files=(), preview=False)  # type: ignore[arg-type]

    monkeypatch.setattr(evaluate_module, "evaluate", fake)
    return calls


def test_a_test_that_patches_code_gets_an_evaluation_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    assert shared.STATE.patched  # set for this test, because it uses monkeypatch
    calls = _counting(monkeypatch)
    plain = {"patched test": 1}
    first = shared.shared_evaluate(plain, fake_secret_values())
    second = shared.shared_evaluate(plain, fake_secret_values())
    assert first is not second and len(calls) == 2
    assert all(ev is not first and ev is not second for ev in (*shared.STATE.cache.values(), *shared.STATE.kept.values()))


def test_an_input_is_evaluated_once_and_a_variant_separately(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    monkeypatch.setattr(shared.STATE, "patched", False)  # as for a test that patches nothing
    plain = {"unpatched test": 1}
    try:
        first = shared.shared_evaluate(plain, fake_secret_values())
        assert shared.shared_evaluate(plain, fake_secret_values()) is first
        assert shared.shared_evaluate(plain, fake_secret_values(), variant="patched") is not first
        assert calls == [plain, plain]
    finally:
        key = shared.input_key(plain, fake_secret_values(), False, None)
        shared.STATE.cache.pop(key, None)
        shared.STATE.cache.pop(key + "patched", None)


def test_the_cache_keeps_only_the_most_recently_used_evaluations(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    monkeypatch.setattr(shared.STATE, "patched", False)
    monkeypatch.setattr(shared.STATE, "cache", type(shared.STATE.cache)())  # this test's own, put back after
    first = shared.shared_evaluate({"n": 0}, fake_secret_values())
    for n in range(1, shared.CAPACITY):
        shared.shared_evaluate({"n": n}, fake_secret_values())
    assert shared.shared_evaluate({"n": 0}, fake_secret_values()) is first  # used again: now the most recent
    shared.shared_evaluate({"n": shared.CAPACITY}, fake_secret_values())  # evicts {"n": 1}, the least recent
    assert len(shared.STATE.cache) == shared.CAPACITY
    assert shared.shared_evaluate({"n": 0}, fake_secret_values()) is first
    assert len(calls) == shared.CAPACITY + 1
    shared.shared_evaluate({"n": 1}, fake_secret_values())
    assert len(calls) == shared.CAPACITY + 2



def test_a_kept_evaluation_is_handed_out_however_many_came_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """The session fixtures' evaluations (`keep=True`) stay shared for the whole run: they are alive anyway."""
    calls = _counting(monkeypatch)
    monkeypatch.setattr(shared.STATE, "patched", False)
    monkeypatch.setattr(shared.STATE, "cache", type(shared.STATE.cache)())
    monkeypatch.setattr(shared.STATE, "kept", {})
    kept = shared.shared_evaluate({"n": "kept"}, fake_secret_values(), keep=True)
    for n in range(shared.CAPACITY + 1):
        shared.shared_evaluate({"n": n}, fake_secret_values())
    assert shared.shared_evaluate({"n": "kept"}, fake_secret_values()) is kept
    assert len(calls) == shared.CAPACITY + 2 and len(shared.STATE.cache) == shared.CAPACITY
    # first evaluated for a test, then asked for by a session fixture: kept from then on, not evaluated again
    later = shared.shared_evaluate({"n": shared.CAPACITY}, fake_secret_values(), keep=True)
    for n in range(shared.CAPACITY + 1):
        shared.shared_evaluate({"m": n}, fake_secret_values())
    assert shared.shared_evaluate({"n": shared.CAPACITY}, fake_secret_values()) is later
    assert len(calls) == 2 * shared.CAPACITY + 3 and len(shared.STATE.cache) == shared.CAPACITY
