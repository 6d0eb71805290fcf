"""Tests share whole-stack evaluations (tests/shared_evaluations.py, `evaluate_shared`, `evaluate_edited`): a module
under tests/ that calls `offline.evaluate.evaluate`/`evaluate_file` itself must be in `ALLOWED`, which says why
that evaluation is its own. Otherwise each new layer's tests would evaluate the same stacks again."""

from pathlib import Path

import pytest

from tests.direct_evaluations import DirectUse, direct_uses, scan, unexplained

TESTS = Path(__file__).resolve().parent
_SECOND = "compares a second evaluation of one config with the first (the shared one would be the same object)"
_LAB = "lab (`-m lab`): converges hosts with it; not switched to the shared evaluations by the change that added this"

# (module, enclosing function) -> why it evaluates on its own
ALLOWED: dict[tuple[str, str], str] = {
    ("tests/shared_evaluations.py", "shared_evaluate.evaluated"): "the shared evaluations themselves",
    ("tests/evaluation_stats.py", "install"): "the counting plugin wraps the evaluator, so it must reach the real one",
    ("tests/conftest.py", "evaluate_edited.run"):
        "an edit that changes nothing: only a test that wants the stack evaluated again asks for it (test_nodes_edit.py)",
    ("tests/test_stack_shape.py", "test_two_evaluations_of_the_same_config_give_identical_plans"): _SECOND,
    ("tests/test_blast_radius.py", "_evaluated_again"): "the catalog's edit that changes nothing is a second `pulumi up`: "
                                                          "a second evaluation compared with the first",
    ("tests/test_k8s_provider_and_upgrade.py", "test_upgrade_steps_rerun_only_when_the_version_changes"): _SECOND,
    ("tests/test_lifecycle_consul_forget.py",
     "test_a_second_evaluation_of_one_generation_and_a_new_token_do_not_run_it_again"): _SECOND,
    ("tests/test_config_properties.py", "test_generated_valid_inventories_evaluate_to_one_node_component_per_host.check"):
        "hypothesis-generated inventories, each evaluated once and dropped: the cache would only hold their memory",
    ("tests/test_input_scaling.py", "scaled"):
        "generated inventories of 18-30 nodes, each evaluated once and reduced to sizes at once (as above)",
    ("tests/lab/storage_support.py", "evaluate_with_overlay"): _LAB,
    ("tests/lab/test_ceph_mons.py", "mons"): _LAB,
    ("tests/lab/test_kubeadm_adopt.py", "_evaluate"): _LAB,
    ("tests/lab/test_lifecycle_rebuild_lab.py", "_evaluate"): _LAB,
    ("tests/lab/test_lifecycle_replace_lab.py", "_evaluate"): _LAB,
    ("tests/lab/test_observability_steps.py", "converged"): _LAB,
    ("tests/lab/test_pki_lab.py", "_evaluate"): _LAB,
    ("tests/lab/test_rollout_reboots.py", "_evaluate"): _LAB,
    ("tests/lab/test_seaweedfs_leave.py", "_leaves"): _LAB,
    ("tests/lab/test_vault_openbao.py", "vault_evaluation"): _LAB,
    ("tests/lab/test_vault_openbao.py",
     "test_a_server_replaced_in_the_vault_list_leaves_the_raft_by_its_delete_and_the_quorum_keeps_serving"): _LAB,
}

OFFENDER = '''
import offline.evaluate
import offline.evaluate as evaluation
from offline import evaluate as evaluator
from offline.evaluate import Evaluation, evaluate, evaluate_file as from_file
from tests.shared_evaluations import shared_evaluate


def probe() -> str:
    return "from offline.evaluate import evaluate; evaluate(plain)"  # a string: run in another process


class TestThings:
    def test_one(self, plain) -> None:
        evaluate(plain, secrets)


def fixture(plain):
    def inner():
        return evaluation.evaluate(plain, secrets), evaluator.evaluate_file(path)
    return inner, from_file(path), offline.evaluate.evaluate(plain, secrets)


run = evaluate
shared = shared_evaluate(plain, secrets)
'''


def test_every_direct_evaluation_under_tests_is_allowed_and_says_why() -> None:
    problems = unexplained(scan(TESTS), ALLOWED)
    assert problems == [], (
        "evaluate through tests.conftest.evaluate_shared / evaluate_edited / tests.shared_evaluations (one "
        "evaluation per input per run), or add the function to ALLOWED with why it needs its own:\n"
        + "\n".join(problems))


def test_every_allowed_entry_still_evaluates_directly() -> None:
    used = {(u.path, u.function) for u in scan(TESTS)}
    assert sorted(set(ALLOWED) - used) == [], "stale ALLOWED entries"


def test_every_form_of_reaching_the_evaluator_is_found_where_it_is() -> None:
    found = [(u.function, u.line, u.name) for u in direct_uses(OFFENDER, "tests/test_offender.py")]
    assert found == [
        ("<module>", 24, "evaluate"),
        ("TestThings.test_one", 15, "evaluate"),
        ("fixture", 21, "evaluate"),
        ("fixture", 21, "evaluate_file"),
        ("fixture.inner", 20, "evaluate"),
        ("fixture.inner", 20, "evaluate_file"),
    ]


def test_a_hand_made_offending_module_fails_the_guard(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    (tests / "sub").mkdir(parents=True)
    (tests / "test_offender.py").write_text(OFFENDER, encoding="utf-8")
    (tests / "sub" / "test_clean.py").write_text(
        "from tests.conftest import evaluate_shared\n\ndef test_x(plain):\n    evaluate_shared(plain)\n", encoding="utf-8")
    uses = scan(tests)
    assert {u.path for u in uses} == {"tests/test_offender.py"}
    problems = unexplained(uses, ALLOWED)
    assert len(problems) == 6 and "tests/test_offender.py:15 TestThings.test_one uses offline.evaluate.evaluate directly" in problems
    # an entry with a reason lets that function through, and only it; an empty reason does not
    allowed = {("tests/test_offender.py", "TestThings.test_one"): "compares two", ("tests/test_offender.py", "fixture"): " "}
    assert [p.split()[1] for p in unexplained(uses, allowed)] == ["<module>", "fixture", "fixture", "fixture.inner",
                                                                  "fixture.inner"]


@pytest.mark.parametrize("source", [
    "from offline.evaluate import *\n",
    "def f():\n    from offline.evaluate import evaluate\n    return evaluate\n",
])
def test_a_star_import_or_an_import_inside_a_function_counts(source: str) -> None:
    assert direct_uses(source, "tests/x.py") != []


def test_the_same_names_from_elsewhere_are_no_direct_use() -> None:
    source = ("from tests.shared_evaluations import shared_evaluate as evaluate\nimport offline.plan as plan\n"
              "evaluate(plain)\nplan.evaluate(plain)\nsomething.evaluate_file(path)\n")
    assert direct_uses(source, "tests/x.py") == []


def test_a_use_names_its_module_function_and_line() -> None:
    [use] = direct_uses("from offline.evaluate import evaluate\n\n\ndef helper():\n    evaluate(1, 2)\n", "tests/t.py")
    assert use == DirectUse("tests/t.py", "helper", 5, "evaluate")
