"""Blast radius: each edit of the catalog (tests/blast_radius_catalog.py) changes exactly the hand-counted set of
resources, or is refused with its message; the README's table is the one generated from the catalog."""

import copy
from typing import Any

import pytest
from pydantic import SecretStr

from config.errors import ConfigError
from config.secrets import SecretValues
from config.spec import ClusterSpec
from lifecycle.memberships import memberships
from lifecycle.transitions import transition_violations
from offline.check import check, read_policy_config
from offline.evaluate import Evaluation, evaluate
from offline.policy_config import POLICY_CONFIG, policy_config
from policies.identity_rules import protected_identities
from tests.blast_radius import Expected, change_set, mismatches
from tests.blast_radius_catalog import CATALOG, CatalogEdit
from tests.blast_radius_table import README, readme_table, table
from tests.conftest import PROVIDERS, TEST_SECRETS
from tests.shared_evaluations import shared_evaluate


def _secrets(edit: CatalogEdit) -> SecretValues:
    values = {**TEST_SECRETS, **edit.secrets}
    return SecretValues({k: SecretStr(v) for k, v in values.items()})


def _evaluated_again(plain: dict[str, Any], secrets: SecretValues) -> Evaluation:
    """The stack evaluated afresh, as a second `pulumi up` would: the shared evaluation would be the one compared."""
    return evaluate(plain, secrets, provider_config=PROVIDERS)


def _refusals(edit: CatalogEdit, plain: dict[str, Any], applied: ClusterSpec,
              again: bool = False) -> tuple[list[str], Evaluation | None]:
    """Messages of the validation error, of an unsafe step from what the real stack applied (as `make up` checks it
    against the last up's memberships), or of the pack's mandatory findings under the committed config."""
    try:
        secrets = _secrets(edit)
        ev = _evaluated_again(plain, secrets) if again else shared_evaluate(plain, secrets, provider_config=PROVIDERS)
    except ConfigError as exc:
        return [str(exc)], None
    unsafe = transition_violations(memberships(applied), ev.spec)
    if unsafe:
        return [f"{v.path}: {v.message}" for v in unsafe], None
    # The pack's config as regenerated for the edited stack (its pools, namespaces, limits), but the identity pins
    # as committed: they record what exists, and only a deliberate regeneration moves them.
    config = policy_config(ev.spec)
    config[protected_identities.name] = read_policy_config(POLICY_CONFIG)[protected_identities.name]
    findings = check(ev, policy_config=config)
    return [f.message for f in findings if f.mandatory], ev


# A pending entry states the correct minimum; it is a strict xfail, so it fails the day its owner's work lands.
PARAMS = [
    pytest.param(e, id=e.key, marks=[pytest.mark.xfail(strict=True, reason=e.pending)] if e.pending else [])
    for e in CATALOG
]


@pytest.mark.parametrize("edit", PARAMS)
def test_an_edit_changes_only_what_it_must(edit: CatalogEdit, real_plain: dict[str, Any], real_evaluation: Evaluation) -> None:
    plain = copy.deepcopy(real_plain)
    edit.plain(plain)
    # An edit that changes nothing (a second `pulumi up`) is compared with a second evaluation of the real stack.
    refusals, ev = _refusals(edit, plain, real_evaluation.spec, again=plain == real_plain and not edit.secrets)
    if edit.rejected is not None:
        assert any(edit.rejected in m for m in refusals), f"expected a refusal naming {edit.rejected!r}: {refusals}"
    else:
        assert refusals == [], refusals
    if ev is not None:
        problems = mismatches(edit.expected, change_set(real_evaluation, ev))
        assert problems == [], f"{edit.key}:\n" + "\n".join(problems)


def test_the_comparison_counts_what_an_edit_really_changes(real_evaluation: Evaluation, real_plain: dict[str, Any]) -> None:
    """The check can fail: the timezone edit against an empty expectation reports every identity step."""
    plain = copy.deepcopy(real_plain)
    plain["cluster"]["timezone"] = "Europe/Berlin"
    changes = change_set(real_evaluation, shared_evaluate(plain, _secrets(CATALOG[0]), provider_config=PROVIDERS))
    problems = mismatches(Expected(), changes)
    assert problems and "allyrion-identity" in problems[0]
    assert mismatches(Expected(updated={"*-identity": 17}), changes) == []
    assert mismatches(Expected(updated={"*-identity": 16}), changes) != []  # a wrong count is reported too


def test_every_catalog_entry_is_hand_counted_and_named_once() -> None:
    keys = [e.key for e in CATALOG]
    assert len(keys) == len(set(keys))
    for e in CATALOG:
        assert e.changes, f"{e.key} says in words what it changes"
        assert e.pending is None or e.pending.startswith("owned by "), e.key


def test_the_readme_table_is_the_generated_one() -> None:
    assert readme_table(README.read_text(encoding="utf-8")) == table(CATALOG), (
        "the README's 'What an edit changes' table drifted from tests/blast_radius_catalog.py: run make blast-radius"
    )
