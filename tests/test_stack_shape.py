"""Whole-stack invariants of the real inventory under the offline evaluator."""

import json

from config.load import read_stack_file
from offline.evaluate import Evaluation, evaluate
from offline.plan import plan_document
from tests.conftest import STACK_FILE, TEST_SECRETS, fake_secret_values


def test_real_stack_has_one_node_component_per_host(real_evaluation: Evaluation) -> None:
    nodes = [r for r in real_evaluation.resources if r.type == "goldentooth:nodes:Node"]
    assert sorted(r.name for r in nodes) == sorted(n.name for n in real_evaluation.spec.nodes)
    assert len(nodes) == 17


def test_every_resource_except_the_root_has_a_parent_inside_the_tree(real_evaluation: Evaluation) -> None:
    urns = {r.urn for r in real_evaluation.resources}
    for r in real_evaluation.resources:
        if r.type == "goldentooth:index:Cluster":
            continue
        assert r.parent in urns, f"{r.urn} is parented outside the Cluster tree ({r.parent})"


def test_two_evaluations_of_the_same_config_give_identical_plans(real_evaluation: Evaluation) -> None:
    """A second evaluation in the same process (after every other test's) registers exactly what the shared one did:
    no state leaks from one evaluation into the next."""
    plain, _ = read_stack_file(STACK_FILE)
    again = plan_document(evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"}))
    assert json.dumps(again, sort_keys=True) == json.dumps(plan_document(real_evaluation), sort_keys=True)


def test_no_secret_value_appears_in_the_plan_or_rendered_files(real_evaluation: Evaluation) -> None:
    text = json.dumps(plan_document(real_evaluation)) + "".join(f.content for f in real_evaluation.files)
    for key, value in TEST_SECRETS.items():
        assert value not in text, f"secret {key} leaked"
