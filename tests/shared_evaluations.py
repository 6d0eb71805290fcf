"""Whole-stack evaluations shared by the tests that only read them: the same input is evaluated once while it
is among the last few asked for (`CAPACITY`), and the session fixtures' ones once per run.

An evaluation of the real stack costs seconds and most tests only query one, so the suite's time would otherwise
grow with every layer (each layer's tests evaluating the same stacks again). `shared_evaluate` is keyed by
everything an evaluation reads: the config as parsed (so a stack file by its content), the secrets' values,
preview, the provider config, the environment variables the program and the SDK read (`GOLDENTOOTH_*`,
`PULUMI_*`) and the working directory. What it hands out is immutable: the recorded inputs are read-only
dicts and lists (a test that tries to change one fails there with a TypeError; `copy.deepcopy` gives a plain,
mutable copy), the rest of an `Evaluation` was frozen already. A test that patches code (`monkeypatch`) gets
an evaluation of its own, neither taken from nor put in the cache: its patches are no part of the key.
"""

import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

import yaml

import offline.evaluate as evaluate_module
from config.load import read_stack
from config.secrets import SecretValues
from offline.evaluate import Evaluation
from offline.recorder import RecordedResource

_ENV_PREFIXES = ("GOLDENTOOTH_", "PULUMI_")


def input_key(
    plain: Mapping[str, Any], secrets: SecretValues, preview: bool, provider_config: Mapping[str, Any] | None
) -> str:
    """A digest of everything an evaluation reads."""
    revealed = {k: v.get_secret_value() for k, v in secrets.values.items()}
    env = {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES) and k != "PYTEST_CURRENT_TEST"}
    canonical = json.dumps(
        [plain, revealed, sorted(secrets.placeholders), preview, provider_config, env, os.getcwd()],
        sort_keys=True, default=repr,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _read_only(*_: object, **__: object) -> NoReturn:
    raise TypeError("a shared evaluation is read-only: copy.deepcopy it (or the part you change) first")


class FrozenDict(dict[str, Any]):
    """A dict that refuses changes; `copy.copy`/`copy.deepcopy` give plain dicts (json, ==, isinstance as dict)."""

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return thawed(self)  # type: ignore[no-any-return]

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[dict[str, Any]]]:
        return (dict, (thawed(self),))


class FrozenList(list[Any]):
    """A list that refuses changes; copies are plain lists."""

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = clear = extend = insert = pop = remove = reverse = sort = _read_only

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return thawed(self)  # type: ignore[no-any-return]

    def __reduce__(self) -> tuple[type[list[Any]], tuple[list[Any]]]:
        return (list, (thawed(self),))


def _dumpable_by_yaml() -> None:
    """PyYAML picks a representer by exact type: a frozen dict or list is dumped as the plain one it reads as."""
    dumpers = [getattr(yaml, name) for name in ("Dumper", "SafeDumper", "CDumper", "CSafeDumper") if hasattr(yaml, name)]
    for dumper in dumpers:
        dumper.add_representer(FrozenDict, yaml.representer.SafeRepresenter.represent_dict)
        dumper.add_representer(FrozenList, yaml.representer.SafeRepresenter.represent_list)


_dumpable_by_yaml()


def frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return FrozenDict({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(frozen(v) for v in value)
    return value


def thawed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: thawed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [thawed(v) for v in value]
    return value


def _frozen_resource(resource: RecordedResource) -> RecordedResource:
    return replace(
        resource,
        inputs=frozen(resource.inputs),
        raw_inputs=frozen(resource.raw_inputs),
        property_dependencies=FrozenDict(resource.property_dependencies),  # its values are tuples already
        aliases=tuple(frozen(a) for a in resource.aliases),
    )


def frozen_evaluation(ev: Evaluation) -> Evaluation:
    return Evaluation(ev.spec, tuple(_frozen_resource(r) for r in ev.resources), ev.files, ev.preview, ev.program)


# How many evaluations the cache keeps, the most recently used. Each holds 150-200 MiB, and every full
# collection of the test process walks what is alive: keeping every distinct input made the suite slower and
# its memory grow to gigabytes. Tests asking for the same edited stack mostly sit in one module, one after the
# other; the session fixtures (tests/conftest.py) keep their own evaluations for the whole run anyway.
CAPACITY = 4


@dataclass
class _State:
    cache: "OrderedDict[str, Evaluation]"
    # The session fixtures' evaluations (`keep=True`): they live for the whole run anyway, so a test that asks for
    # the same input (the real stack through an edit that changes nothing) gets them however long ago they were made.
    kept: dict[str, Evaluation] = field(default_factory=dict)
    patched: bool = False  # the running test patches code: evaluate afresh (set by tests/conftest.py)
    hits: int = 0


STATE = _State(OrderedDict())


def shared_evaluate(
    plain: Mapping[str, Any],
    secrets: SecretValues,
    *,
    preview: bool = False,
    provider_config: Mapping[str, Any] | None = None,
    variant: str = "",
    patches: Callable[[], AbstractContextManager[object]] = nullcontext,
    keep: bool = False,
) -> Evaluation:
    """`offline.evaluate.evaluate`, once per distinct input per test run (read-only: see the module's doc).
    `patches` is a context in which to evaluate that changes code, and `variant` names what it changes (part of
    the key, so a patched evaluation is shared only with tests asking for the same patch). `keep` is for the
    session fixtures: the evaluation is never evicted (they hold it for the whole run in any case)."""

    def evaluated() -> Evaluation:
        with patches():
            return evaluate_module.evaluate(plain, secrets, preview=preview, provider_config=provider_config)

    if STATE.patched:
        return evaluated()
    key = input_key(plain, secrets, preview, provider_config) + variant
    found = STATE.kept[key] if key in STATE.kept else STATE.cache.get(key)
    if found is not None:
        STATE.hits += 1
        if key in STATE.cache:
            STATE.cache.move_to_end(key)
    else:
        found = STATE.cache[key] = frozen_evaluation(evaluated())
    if keep:
        STATE.kept[key] = STATE.cache.pop(key, found)
    while len(STATE.cache) > CAPACITY:
        STATE.cache.popitem(last=False)
    return found


def shared_evaluate_file(path: Path, *, preview: bool = False, keep: bool = False) -> Evaluation:
    """`offline.evaluate.evaluate_file`, shared: the file's parsed content is the key, not its name."""
    plain, secrets, providers = read_stack(path)
    return shared_evaluate(plain, secrets, preview=preview, provider_config=providers, keep=keep)
