"""Stack-wide rules over PolicyResource graphs: odd quorums, join after init, safe overclock."""

from typing import Any

import pulumi
from pulumi_policy import PolicyResource, StackValidationArgs

from components.remote_step import StepOptions, StepRunner
from components.script import Script
from components.ssh import SshTarget
from config.hardware import CAPABILITIES
from offline.evaluate import Evaluation
from policies import stack_rules
from policies.stack_view import StackView
from tests.policy_support import recorded_stack, stack_resource, violations

CMD = "command:remote:Command"
INIT = "kubeadm init --config /etc/kubernetes/kubeadm.yaml --upload-certs"
JOIN = "kubeadm join cp.k8s.goldentooth.net:6443 --config /etc/kubernetes/join.yaml"


def _cmd(name: str, host: str, create: str, *, stdin: str | None = None, deps: list[PolicyResource] | None = None,
         parent: PolicyResource | None = None) -> PolicyResource:
    props: dict[str, Any] = {"create": create, "connection": {"host": host}, "addPreviousOutputInEnv": False}
    if stdin is not None:
        props["stdin"] = stdin
    return stack_resource(CMD, name, props, dependencies=deps or [], parent=parent)


def _stack(*resources: PolicyResource) -> StackValidationArgs:
    return StackValidationArgs(list(resources), {})


def _control_plane(count: int, *, cp_flag: bool = True) -> list[PolicyResource]:
    init = _cmd("bettley-kubeadm-init", "10.4.0.11", INIT)
    joins = [_cmd(f"cp{i}-join", f"10.4.0.{12 + i}", JOIN + (" --control-plane" if cp_flag else ""), deps=[init])
             for i in range(count - 1)]
    return [init, *joins]


def test_three_control_plane_members_pass() -> None:
    assert violations(stack_rules.odd_quorums, _stack(*_control_plane(3))) == []


def test_four_control_plane_members_are_an_even_quorum() -> None:
    found = violations(stack_rules.odd_quorums, _stack(*_control_plane(4)))
    assert found == ["etcd (kubeadm control plane) has 4 members (10.4.0.11, 10.4.0.12, 10.4.0.13, 10.4.0.14): an even quorum."]


def test_control_plane_join_recognised_from_its_join_configuration_file() -> None:
    init = _cmd("init", "10.4.0.11", INIT)
    config = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ncontrolPlane:\n  localAPIEndpoint: {}\n"
    write = _cmd("cargyll-join-config", "10.4.0.12", "write_file", stdin=config, deps=[init])
    join = _cmd("cargyll-join", "10.4.0.12", JOIN, deps=[write])
    assert stack_rules.is_control_plane_join(StackView([init, write, join]), join)
    assert violations(stack_rules.odd_quorums, _stack(init, write, join)) == [
        "etcd (kubeadm control plane) has 2 members (10.4.0.11, 10.4.0.12): an even quorum."
    ]


def test_worker_joins_do_not_count_towards_etcd() -> None:
    init = _cmd("init", "10.4.0.11", INIT)
    workers = [_cmd(f"w{i}", f"10.4.0.{20 + i}", JOIN, deps=[init]) for i in range(4)]
    assert violations(stack_rules.odd_quorums, _stack(init, *workers)) == []


def test_bootstrap_expect_must_be_odd_and_match_the_servers_carrying_it() -> None:
    def server(host: str, n: int) -> PolicyResource:
        return _cmd(f"{host}-consul", host, "export GT_PATH='/etc/consul.d/server.hcl'\nwrite",
                    stdin=f'server = true\nbootstrap_expect = {n}\n')

    good = [server(h, 3) for h in ("10.4.0.14", "10.4.0.15", "10.4.0.16")]
    assert violations(stack_rules.odd_quorums, _stack(*good)) == []
    even = [server(h, 4) for h in ("10.4.0.14", "10.4.0.15", "10.4.0.16", "10.4.0.17")]
    assert violations(stack_rules.odd_quorums, _stack(*even)) == [
        "/etc/consul.d/server.hcl sets bootstrap_expect = 4 (even) on 10.4.0.14, 10.4.0.15, 10.4.0.16, 10.4.0.17."
    ]
    short = good[:2]
    assert violations(stack_rules.odd_quorums, _stack(*short)) == [
        "/etc/consul.d/server.hcl sets bootstrap_expect = 3 but 2 hosts carry it."
    ]


def test_joins_ordered_after_init_pass() -> None:
    assert violations(stack_rules.join_after_init, _stack(*_control_plane(3))) == []


def test_join_without_an_edge_to_init_is_reported() -> None:
    init = _cmd("init", "10.4.0.11", INIT)
    join = _cmd("fenn-join", "10.4.0.15", JOIN)
    assert violations(stack_rules.join_after_init, _stack(init, join)) == ["fenn-join runs kubeadm join without waiting for init."]


def test_waiting_on_the_component_that_holds_init_counts() -> None:
    component = stack_resource("goldentooth:k8s:ControlPlane", "control-plane", {})
    init = _cmd("init", "10.4.0.11", INIT, parent=component)
    wait = _cmd("fenn-wait", "10.4.0.15", "true", deps=[component])
    join = _cmd("fenn-join", "10.4.0.15", JOIN, deps=[wait])
    assert violations(stack_rules.join_after_init, _stack(component, init, wait, join)) == []


def test_joins_without_any_init_are_reported() -> None:
    assert violations(stack_rules.join_after_init, _stack(_cmd("j", "10.4.0.15", JOIN))) == [
        "1 kubeadm join steps but no kubeadm init step."
    ]


def test_join_order_from_real_step_runner_edges(real_evaluation: Evaluation) -> None:
    script = Script.beside(__file__, "../components/shell/write_file.sh")

    def program(ordered: bool) -> None:
        target = SshTarget(host="10.4.0.11", user="root")
        parent = pulumi.ComponentResource("goldentooth:k8s:Kubeadm", "kubeadm")
        runner = StepRunner("bettley", target, parent)
        init = runner.command("kubeadm-init", INIT)
        runner.run("join", script, {"GT_PATH": "/x"}, options=StepOptions(depends_on=[init] if ordered else []))
        runner.command("kubeadm-join", JOIN, options=StepOptions(depends_on=[init] if ordered else []))

    assert violations(stack_rules.join_after_init, recorded_stack(real_evaluation, lambda: program(True))) == []
    assert violations(stack_rules.join_after_init, recorded_stack(real_evaluation, lambda: program(False))) == [
        "bettley-kubeadm-join runs kubeadm join without waiting for bettley-kubeadm-init."
    ]


HOSTS = {"allyrion": "10.4.0.10", "manderly": "10.4.0.22", "payne": "10.4.0.25", "norcross": "10.4.0.23"}


def _node(name: str, model: str) -> PolicyResource:
    return stack_resource("goldentooth:nodes:Node", name, {"name": name, "model": model})


def _firmware(node: PolicyResource, config_txt: str) -> PolicyResource:
    return _cmd(f"{node.name}-firmware", HOSTS[node.name], "export GT_PATH='/boot/firmware/config.txt'\nwrite",
                stdin=config_txt, parent=node)


def test_overclock_within_the_safe_range_passes() -> None:
    pi4, pi5 = _node("allyrion", "pi4b-8gb"), _node("manderly", "pi5-8gb")
    resources = [pi4, _firmware(pi4, "[all]\narm_freq=2000\nover_voltage=6\n"), pi5, _firmware(pi5, "arm_freq=2800\n")]
    assert violations(stack_rules.overclock_safe, _stack(*resources)) == []


def test_overclock_beyond_the_safe_range_is_reported() -> None:
    pi4 = _node("allyrion", "pi4b-8gb")
    found = violations(stack_rules.overclock_safe, _stack(pi4, _firmware(pi4, "arm_freq=2300\nover_voltage=8\n")))
    assert found == [
        "allyrion-firmware sets arm_freq=2300 on pi4b-8gb; the safe maximum is 2147.",
        "allyrion-firmware sets over_voltage=8 on pi4b-8gb; the safe maximum is 6.",
    ]


def test_over_voltage_on_a_pi5_is_reported() -> None:
    pi5 = _node("payne", "pi5-8gb")
    assert violations(stack_rules.overclock_safe, _stack(pi5, _firmware(pi5, "over_voltage=2\n"))) == [
        "payne-firmware sets over_voltage=2, but pi5-8gb must not set over_voltage."
    ]


def test_sections_for_another_board_are_skipped_like_the_firmware_does() -> None:
    pi5 = _node("norcross", "pi5-8gb")
    assert violations(stack_rules.overclock_safe, _stack(pi5, _firmware(pi5, "[pi4]\narm_freq=2147\nover_voltage=6\n[all]\n"))) == []


def test_overclock_from_step_header_parameters() -> None:
    pi4 = _node("lipps", "pi4b-4gb")
    step = _cmd("lipps-overclock", "10.4.0.21", "export GT_ARM_FREQ='2400'\nexport GT_MODEL='pi4b-4gb'\n", parent=pi4)
    assert violations(stack_rules.overclock_safe, _stack(pi4, step)) == [
        "lipps-overclock sets arm_freq=2400 on pi4b-4gb; the safe maximum is 2147."
    ]


def test_default_limits_match_the_hardware_table() -> None:
    limits = stack_rules.OVERCLOCK_SCHEMA.properties["limits"]["default"]
    assert set(limits) == {m.value for m in CAPABILITIES}
    for model, caps in CAPABILITIES.items():
        assert limits[model] == {"maxArmFreq": caps.max_arm_freq, "maxOverVoltage": caps.max_over_voltage}, model
