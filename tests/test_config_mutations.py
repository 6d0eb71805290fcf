"""Property: the real stack file, mutated at random as an editing person would (drop a key, change a type,
duplicate a value, paste a secret into a plain field), is either rejected with exit 2 or evaluates to a
plan; never a traceback, and no secret in anything printed.

Each example runs `goldentooth plan` in-process. A mutation that leaves the stack valid costs a full
evaluation, so the example count is small; the mutations are drawn where they bite (the whole tree).
"""

import contextlib
import copy
import io
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from config.masking import representations
from offline import cli
from tests.conftest import TEST_SECRETS
from tests.invalid_configs.corpus import real_config

PEM = ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
       "QyNTUxOQAAACBzb21lLXByb3BlcnR5LXRlc3Qta2V5LW1hdGVyaWFsAAAAAAAAAA==\n-----END OPENSSH PRIVATE KEY-----\n")
SECRETS = [*TEST_SECRETS.values(), PEM]
OTHER_TYPES: list[Any] = [None, 0, 7.5, True, "text", [], {}, ["a", "b"], {"k": "v"}]
Path_ = tuple[str | int, ...]
# pydantic's own wording, which config/messages.py rewrites for an operator
PYDANTIC_JARGON = ("Input should", "String should", "instance of", "Value error", "Field required", "Extra inputs")


def _paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every key and list entry below the goldentooth keys of `config`."""
    found: list[Path_] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            if prefix or str(key).startswith("goldentooth:"):
                found.append((*prefix, key))
                found += _paths(sub, (*prefix, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            found.append((*prefix, i))
            found += _paths(sub, (*prefix, i))
    return found


def _parent(config: dict[str, Any], path: Path_) -> Any:
    node: Any = config
    for part in path[:-1]:
        node = node[part]
    return node


def _mutate(config: dict[str, Any], data: st.DataObject) -> str:
    paths = _paths(config)
    kind = data.draw(st.sampled_from(["drop", "retype", "duplicate", "paste"]), label="kind")
    path = data.draw(st.sampled_from(paths), label="path")
    parent, last = _parent(config, path), path[-1]
    if kind == "drop":
        del parent[last]
    elif kind == "retype":
        parent[last] = data.draw(st.sampled_from(OTHER_TYPES), label="value")
    elif kind == "duplicate":
        lists = [p for p in paths if isinstance(_parent(config, p)[p[-1]], list) and _parent(config, p)[p[-1]]]
        target = _parent(config, lists_path := data.draw(st.sampled_from(lists), label="list"))[lists_path[-1]]
        target.append(copy.deepcopy(data.draw(st.sampled_from(target), label="entry")))
    else:
        strings = [p for p in paths if isinstance(_parent(config, p)[p[-1]], str)]
        where = data.draw(st.sampled_from(strings), label="field")
        secret = data.draw(st.sampled_from(SECRETS), label="secret")
        form = data.draw(st.sampled_from(["raw", "newline", "embedded"]), label="form")
        text = {"raw": secret, "newline": secret + "\n", "embedded": f"x {secret} y"}[form]
        _parent(config, where)[where[-1]] = text
    return kind


def _plan(stack: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["plan", "--config", str(stack), "--json", "-"])
    return code, out.getvalue(), err.getvalue()


FORMS = sorted({f for s in SECRETS for f in representations(s)}, key=len, reverse=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_mutated_stack_is_rejected_or_planned_never_a_traceback_never_a_secret(tmp_path: Path, data: st.DataObject) -> None:
    config = real_config()
    kind = _mutate(config, data)
    config.update({f"goldentooth:{k}": v for k, v in TEST_SECRETS.items()})
    stack = tmp_path / "Pulumi.mutated.yaml"
    stack.write_text(yaml.safe_dump({"config": config}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, out, err = _plan(stack)  # an exception here is the traceback the property forbids
    assert code in (0, cli.EXIT_INVALID_CONFIG), (kind, code, err)
    event(f"{kind}: exit {code}")  # --hypothesis-show-statistics shows how often each mutation still plans
    if code == cli.EXIT_INVALID_CONFIG:
        assert out == "" and err.startswith("invalid goldentooth config: "), (kind, err)
        jargon = [p for p in PYDANTIC_JARGON if p in err]
        assert not jargon, (kind, jargon, err)
    for form in FORMS:
        assert form not in out and form not in err, f"a form of a secret appears after a {kind} mutation"
