"""Order never matters: every list in the real stack file, reordered, leaves the plan exactly as it was.

The lists are found by walking the stack config (not named by hand), so a list a new layer adds is covered the
day it lands in `Pulumi.goldentooth.yaml`. Each list is rotated by one (every element moves; for two elements
that is a swap) and, in a second evaluation, reversed. All lists are reordered at once (two evaluations in
all); when that changes the plan, the test reorders each list alone to name the ones that matter. What is compared is
everything the engine diffs (`tests/blast_radius.py`): a reordered list may change no input of any resource, add
or remove nothing, and render every file byte for byte as before.

Lists whose order means something are listed in `ORDERED` with why; they are the only ones left out.
"""

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from config.load import read_stack_file
from offline.evaluate import Evaluation
from tests.blast_radius import change_set
from tests.conftest import STACK_FILE, evaluate_shared

Path = tuple[str | int, ...]

# Lists whose order is meaningful, with why. Matched on the dotted path, list indexes as `*`.
# None today: every list of the stack is a set (members of a role, records, buckets, checks, countries, pools).
ORDERED: dict[str, str] = {}
# Owned by another helper: the control plane's order picks the kubeadm init node (the `kubeadm` helper makes the
# init node an explicit setting or a stable rule; then this entry goes).
# Lists whose reordering still changes the plan, with the work that fixes it (none today).
PENDING: dict[str, str] = {}


def dotted(path: Path) -> str:
    return ".".join("*" if isinstance(p, int) else p for p in path)


def lists_in(value: Any, path: Path = ()) -> Iterator[Path]:
    """Every list of two or more elements in `value`, outermost first."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from lists_in(child, (*path, key))
    elif isinstance(value, list):
        if len(value) >= 2:
            yield path
        for i, child in enumerate(value):
            yield from lists_in(child, (*path, i))


def _at(plain: Any, path: Path) -> Any:
    for part in path:
        plain = plain[part]
    return plain


def reordered(plain: dict[str, Any], paths: list[Path], how: str) -> dict[str, Any]:
    edited = copy.deepcopy(plain)
    for path in sorted(paths, key=len, reverse=True):  # innermost first: outer indexes still name the same items
        items = _at(edited, path)
        items[:] = items[::-1] if how == "reverse" else items[1:] + items[:1]
    return edited


def _evaluate(plain: dict[str, Any]) -> Evaluation:
    return evaluate_shared(plain)


def _real_plain() -> dict[str, Any]:
    plain, _ = read_stack_file(STACK_FILE)
    return plain


def _unordered(plain: dict[str, Any]) -> list[Path]:
    return [p for p in lists_in(plain) if dotted(p) not in ORDERED]


REAL_LISTS = _unordered(_real_plain())


def _differences(base: Evaluation, edited: Evaluation) -> list[str]:
    changes = change_set(base, edited)
    problems = [f"{kind}: {changes.named(kind)}" for kind in ("created", "deleted", "updated") if getattr(changes, kind)]
    before = {(f.node, f.path): f.content for f in base.files}
    after = {(f.node, f.path): f.content for f in edited.files}
    files = sorted(f"{n}:{p}" for n, p in before.keys() | after.keys() if before.get((n, p)) != after.get((n, p)))
    return problems + ([f"rendered files: {files}"] if files else [])


def test_the_walk_finds_the_lists_of_the_real_stack() -> None:
    found = {dotted(p) for p in lists_in(_real_plain())}
    # a sample of what must be among them: node list, a role list, nested node lists, AWS lists
    assert {"nodes", "roles.consul.servers", "nodes.*.disks", "aws.geoAllow", "aws.buckets"} <= found
    assert set(PENDING) <= found, "a PENDING entry names no list of the stack"


def _culprits(base: Evaluation, paths: list[Path], how: str) -> list[str]:
    """Only when a batch failed: which lists, reordered alone, change the plan (one evaluation each)."""
    return [".".join(map(str, p)) for p in paths if _differences(base, _evaluate(reordered(_real_plain(), [p], how)))]


@pytest.mark.parametrize("how", ["rotate", "reverse"])
def test_reordering_every_list_changes_nothing(how: str, real_evaluation: Evaluation) -> None:
    """Every list at once, in two different orders (one evaluation each; a failure then names each list)."""
    paths = [p for p in REAL_LISTS if dotted(p) not in PENDING]
    assert len(paths) >= 20
    problems = _differences(real_evaluation, _evaluate(reordered(_real_plain(), paths, how)))
    if problems:
        problems.insert(0, f"lists whose order matters: {_culprits(real_evaluation, paths, how)}")
    assert problems == [], f"{how} of every list changed the plan:\n" + "\n".join(problems)


def test_the_comparison_sees_an_edit_that_matters(real_evaluation: Evaluation) -> None:
    """The check can fail: a real edit (the timezone) must show up in it."""
    plain = _real_plain()
    plain["cluster"]["timezone"] = "Europe/Berlin"
    assert _differences(real_evaluation, _evaluate(plain)) != []
