"""A rebuilt Consul member's old incarnation is forced out before its new agent joins (hashicorp/consul/force_leave.sh,
contributed as a forget-only `LeaveStep`; lifecycle/forget.py runs it, its management token on stdin through a
deferred secret the lifecycle wiring resolves). It is no leave: a node that leaves a role gracefully needs none."""

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pydantic import SecretStr

from cluster.registry import collect_contributions
from config.load import read_stack_file
from config.secrets import SecretValues
from lifecycle.forget import LateSecrets, forget_steps
from offline.evaluate import Evaluation, evaluate
from tests.conftest import PROVIDERS, STACK_FILE, TEST_SECRETS, Edit, fake_secret_values
from tests.lifecycle_support import delta
from tests.shared_evaluations import shared_evaluate

Evaluate = Callable[[Edit], Evaluation]
FORCE_LEAVE = "hashicorp/consul/force_leave.sh"


def _rebuilt(node: str, generation: int = 1) -> Edit:
    return lambda p: p.update(lifecycle={"generations": {node: generation}})


def _host(ev: Evaluation, node: str) -> str:
    return str(ev.spec.node(node).ip)


def _consul_steps(ev: Evaluation, node: str) -> list[str]:
    """The node's own Consul steps (the HashiCorp layer's; the rollout's quorum gates are named alike)."""
    return [r.name for r in ev.of_type("command:remote:Command")
            if r.name.startswith(f"{node}-consul-") and "goldentooth:hashicorp" in r.parent]


@pytest.mark.parametrize(("node", "server"), [("karstark", "erenford"), ("erenford", "fenn"), ("fenn", "erenford")])
def test_a_rebuilt_consul_member_is_forced_out_from_a_remaining_server_before_its_agent_joins(
        evaluate_edited: Evaluate, node: str, server: str) -> None:
    after = evaluate_edited(_rebuilt(node))
    force = after.command(f"{node}-forget-consul-force-leave")
    assert force.raw_inputs["connection"]["host"] == _host(after, server)
    assert "generated from hashicorp/consul/force_leave.sh;" in force.inputs["create"]
    assert f"rebuild:{node}:1" in force.inputs["triggers"]
    # The management token (force-leave needs operator:write) arrives on stdin, secret, never in the command.
    token = TEST_SECRETS["consulManagementToken"]
    assert force.raw_inputs["stdin"] == token and force.inputs["stdin"] == "[secret]"
    assert token not in force.raw_inputs["create"] and "stdin" in force.ignore_changes
    consul = _consul_steps(after, node)
    assert consul, f"{node} has Consul steps"
    for step in consul:
        assert after.waits_for(after.command(step), force), f"{step} must wait for the force-leave"


def test_the_force_leave_is_no_leave_step_and_a_node_leaving_consul_runs_none(
        real_evaluation: Evaluation, evaluate_edited: Evaluate) -> None:
    steps = [s for s in collect_contributions(real_evaluation.spec).leave_steps if s.script == FORCE_LEAVE]
    members = {*real_evaluation.spec.roles.consul.servers, *real_evaluation.spec.roles.consul.clients}
    assert {s.node for s in steps} == members
    assert all(s.forget_on_rebuild and not s.on_leave and s.secret == "consul-management-token" for s in steps)
    # No marker for it in the stack (the plan is unchanged by it until a rebuild) ...
    assert not [r.name for r in real_evaluation.of_type("command:remote:Command") if "force-leave" in r.name]
    # ... and a client taken out of Consul leaves gracefully, on itself, with no force-leave.
    d = delta(real_evaluation, evaluate_edited(lambda p: p["roles"]["consul"]["clients"].remove("allyrion")))
    assert [r.name for r in d.deleted_commands()] == ["allyrion-leave-consul-leave"]


def test_a_second_evaluation_of_one_generation_and_a_new_token_do_not_run_it_again(evaluate_edited: Evaluate) -> None:
    once = evaluate_edited(_rebuilt("karstark"))
    plain, _ = read_stack_file(STACK_FILE)
    _rebuilt("karstark")(plain)
    # A second evaluation of the same config, on purpose: evaluate_edited would hand out `once` itself again.
    second = evaluate(plain, fake_secret_values(), provider_config=PROVIDERS)
    assert not [u for u in delta(once, second).updated if "forget" in u]
    other = {**TEST_SECRETS, "consulManagementToken": "another-token"}
    adopted = shared_evaluate(plain, SecretValues({k: SecretStr(v) for k, v in other.items()}), provider_config=PROVIDERS)
    d = delta(once, adopted)
    assert not [u for u in d.updated | d.created | d.deleted if "forget-consul" in u]
    # The next rebuild forgets it again: a new trigger replaces (re-runs) the step.
    again = delta(once, evaluate_edited(_rebuilt("karstark", 2)))
    assert [u for u in again.updated if u.endswith("karstark-forget-consul-force-leave")]


def test_without_the_hashicorp_layer_a_rebuild_forgets_only_kubernetes(evaluate_edited: Evaluate) -> None:
    def edit(p: dict[str, Any]) -> None:
        p["hashicorp"] = {**p.get("hashicorp", {}), "enabled": False}
        _rebuilt("fenn")(p)

    after = evaluate_edited(edit)
    assert sorted(r.name for r in after.of_type("command:remote:Command") if "-forget-" in r.name) == [
        "fenn-forget-kubernetes-delete-node"]


def test_a_forget_step_whose_secret_nobody_hands_over_is_refused() -> None:
    late = LateSecrets()
    late.get("consul-management-token")
    with pytest.raises(KeyError, match=r"need the secrets \['consul-management-token'\]"):
        late.resolve({"vault-admin-token": pulumi.Output.from_input("x")})


def test_forget_steps_keep_secret_ones_but_never_one_that_would_run_on_the_rebuilt_node(
        real_evaluation: Evaluation) -> None:
    steps = collect_contributions(real_evaluation.spec).leave_steps
    chosen = forget_steps(steps, {"erenford": 1})
    # erenford is a Kubernetes node, a Consul member and a ZFS replica (the primary forgets its host key)
    assert [s.script for s in chosen["erenford"]] == ["k8s/leave/delete_node.sh", FORCE_LEAVE,
                                                      "storage/zfs/forget_host_key.sh"]
    assert all(s.run_on != "erenford" for s in chosen["erenford"])
    assert forget_steps(steps, {}) == {}
