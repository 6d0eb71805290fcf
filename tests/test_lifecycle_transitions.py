"""Quorum-safe membership changes (lifecycle/transitions.py): each unsafe step from the last up's memberships is
rejected with its config path and a recipe, before anything runs; a new stack and safe changes pass."""

import copy
import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from config.errors import ConfigError
from config.load import load
from config.spec import ClusterSpec
from lifecycle import previous
from lifecycle.memberships import Memberships, memberships
from lifecycle.transitions import transition_violations
from offline.cli import main as cli
from tests.conftest import STACK_FILE, fake_secret_values


def _spec(plain: dict[str, Any], edit: Any = None) -> ClusterSpec:
    plain = copy.deepcopy(plain)
    if edit is not None:
        edit(plain)
    return load(plain, fake_secret_values(), require_secrets=False)[0]


def _with(before: Memberships, path: str, names: list[str]) -> Memberships:
    return Memberships({**before.members, path: tuple(names)}, before.kubeadm_init)


@pytest.fixture(scope="module")
def real(real_plain: dict[str, Any]) -> ClusterSpec:
    return _spec(real_plain)


def test_no_change_and_a_new_stack_pass(real: ClusterSpec) -> None:
    assert transition_violations(memberships(real), real) == []
    assert transition_violations(None, real) == []


@pytest.mark.parametrize("index", range(5))
def test_every_quorum_rejects_two_members_leaving_in_one_up(real: ClusterSpec, index: int) -> None:
    """Whatever the quorum (etcd, Consul, Vault, Nomad, SeaweedFS masters), the last up had two more members."""
    quorum = real.roles.quorums()[index]
    before = _with(memberships(real), quorum.path, [*quorum.members, "gone-a", "gone-b"])
    [problem] = transition_violations(before, real)
    assert problem.path == quorum.path
    assert f"removes gone-a, gone-b from the {quorum.label} quorum in one `up`" in problem.message
    assert (f"1) set {quorum.path} to [{', '.join([*quorum.members, 'gone-b'])}] and `pulumi up`; 2) set it to "
            f"[{', '.join(quorum.members)}] and `pulumi up`") in problem.message
    assert "an even quorum" in problem.message  # five to three passes through four


def test_a_replacement_per_up_passes_and_two_at_once_are_two_steps(real_plain: dict[str, Any]) -> None:
    """harlton left the Consul clients in an earlier `up` (a move is two ups); now it replaces a server."""
    def no_harlton(p: dict[str, Any]) -> None:
        p["roles"]["consul"]["clients"] = [c for c in p["roles"]["consul"]["clients"] if c not in ("harlton",
                                                                                                  "inchfield")]
        p["roles"]["nomad"]["clients"] = [c for c in p["roles"]["nomad"]["clients"] if c not in ("harlton",
                                                                                                "inchfield")]

    before = memberships(_spec(real_plain, no_harlton))

    def replace(servers: list[str]) -> Any:
        def edit(p: dict[str, Any]) -> None:
            no_harlton(p)
            for service in ("consul", "vault", "nomad"):
                p["roles"][service]["servers"] = servers
            p["roles"]["nomad"]["clients"] = [c for c in p["roles"]["nomad"]["clients"] if c in servers or c not in (
                "erenford", "fenn", "gardener")]
        return edit

    assert transition_violations(before, _spec(real_plain, replace(["erenford", "fenn", "harlton"]))) == []
    problems = transition_violations(before, _spec(real_plain, replace(["erenford", "harlton", "inchfield"])))
    assert [v.path for v in problems] == ["roles.consul.servers", "roles.vault.servers", "roles.nomad.servers"]
    assert ("1) set roles.consul.servers to [erenford, gardener, harlton] and `pulumi up`; 2) set it to "
            "[erenford, harlton, inchfield]") in problems[0].message
    assert "an even quorum" not in problems[0].message


def test_a_quorum_shrinking_below_three_is_rejected_with_the_replace_recipe(real: ClusterSpec) -> None:
    before = _with(memberships(real), "roles.vault.servers", ["erenford", "fenn", "gardener"])
    after = _with(before, "roles.vault.servers", ["erenford"])
    spec = real.model_copy(update={"roles": real.roles.model_copy(update={
        "vault": real.roles.vault.model_copy(update={"servers": ("erenford",)})})})
    assert after.members["roles.vault.servers"] == spec.roles.vault.servers
    messages = [v.message for v in transition_violations(before, spec) if v.path == "roles.vault.servers"]
    assert any("leaves the Vault raft quorum with 1 member (it had 3)" in m and
               "set roles.vault.servers to [erenford, <new node>]" in m for m in messages), messages


def test_moving_a_node_between_lists_of_one_section_is_two_ups(real_plain: dict[str, Any]) -> None:
    before = memberships(_spec(real_plain))

    def move(p: dict[str, Any]) -> None:
        p["roles"]["kubernetes"]["controlPlane"] = ["bettley", "cargyll", "lipps"]
        p["roles"]["kubernetes"]["workers"] = [w for w in p["roles"]["kubernetes"]["workers"] if w != "lipps"] + [
            "dalt"]

    problems = {v.path: v.message for v in transition_violations(before, _spec(real_plain, move))}
    assert set(problems) == {"roles.kubernetes.controlPlane", "roles.kubernetes.workers"}
    assert problems["roles.kubernetes.controlPlane"].startswith(
        "moves lipps from roles.kubernetes.workers to roles.kubernetes.controlPlane in one `up`")
    assert "1) remove lipps from roles.kubernetes.workers and `pulumi up`; 2) add it to " \
           "roles.kubernetes.controlPlane" in problems["roles.kubernetes.controlPlane"]
    # A subset list (GPU workers within workers) is not a move.
    assert transition_violations(before, _spec(real_plain, lambda p: p["roles"]["kubernetes"].update(
        gpuWorkers=[]))) == []


def test_the_kubeadm_init_node_moves_only_once_retired(real_plain: dict[str, Any]) -> None:
    before = memberships(_spec(real_plain))

    def reorder(p: dict[str, Any]) -> None:
        p["roles"]["kubernetes"]["controlPlane"] = ["cargyll", "bettley", "dalt"]

    assert transition_violations(before, _spec(real_plain, reorder)) == [], "list order never moves the init node"

    def move(p: dict[str, Any]) -> None:
        p.setdefault("kubernetes", {})["initNode"] = "cargyll"

    [problem] = transition_violations(before, _spec(real_plain, move))
    assert problem.path == "kubernetes.initNode"
    assert problem.message.startswith("bettley ran `kubeadm init`, a bootstrap of the cluster's etcd and CA, not a "
                                      "membership; this change makes cargyll the init node")
    assert "`pulumi state unprotect` bettley's `bettley-kubeadm-init` step" in problem.message

    def retired(p: dict[str, Any]) -> None:
        move(p)
        p["lifecycle"] = {"retiredKubeadmInit": "bettley"}

    assert transition_violations(before, _spec(real_plain, retired)) == []


def test_the_previous_memberships_round_trip_and_a_missing_file_stops_the_program(
        real: ClusterSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(memberships(real).export()), encoding="utf-8")
    assert previous.read(path) == memberships(real)
    path.write_text("null", encoding="utf-8")
    assert previous.read(path) is None
    path.write_text('{"members": {"roles.vault.servers": "fenn"}}', encoding="utf-8")
    with pytest.raises(ConfigError, match="is not the `memberships` stack output"):
        previous.read(path)
    monkeypatch.delenv(previous.ENV, raising=False)
    with pytest.raises(ConfigError, match="GOLDENTOOTH_PREVIOUS_MEMBERSHIPS: is not set: run `make preview`"):
        previous.from_environment()


def test_the_program_refuses_an_unsafe_change_before_registering_anything(
        real: ClusterSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cluster import program

    quorum = real.roles.quorums()[1]
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(_with(memberships(real), quorum.path, [*quorum.members, "x", "y"]).export()),
                    encoding="utf-8")
    monkeypatch.setenv(previous.ENV, str(path))
    registered: list[object] = []
    monkeypatch.setattr(program, "build", lambda *a: registered.append(a))
    monkeypatch.setattr(program, "read_pulumi_config", lambda: ({}, fake_secret_values()))
    monkeypatch.setattr(program, "load", lambda plain, secrets, require_secrets: (real, secrets))
    with pytest.raises(pulumi.RunError, match=f"{quorum.path}: removes x, y from"):
        program.main()
    assert registered == []


def test_goldentooth_plan_with_previous_rejects_like_up(real: ClusterSpec, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    quorum = real.roles.quorums()[0]
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(_with(memberships(real), quorum.path, [*quorum.members, "x", "y"]).export()),
                    encoding="utf-8")
    assert cli(["plan", "--config", str(STACK_FILE), "--previous", str(path)]) == 2
    assert f"{quorum.path}: removes x, y from the etcd quorum" in capsys.readouterr().err


def test_a_kubernetes_version_change_without_upgrade_from_is_refused_against_the_applied_version(
        real_plain: dict[str, Any]) -> None:
    before = memberships(_spec(real_plain))
    assert before.kubernetes_version == "1.32.9"

    def bump(p: dict[str, Any]) -> None:
        p["versions"]["kubernetes"] = "1.32.10"

    [problem] = transition_violations(before, _spec(real_plain, bump))
    assert problem.path == "versions.kubernetes"
    assert "Set kubernetes.upgradeFrom to 1.32.9" in problem.message and "version skew" in problem.message

    def upgrade(p: dict[str, Any]) -> None:
        bump(p)
        p.setdefault("kubernetes", {})["upgradeFrom"] = "1.32.9"

    assert transition_violations(before, _spec(real_plain, upgrade)) == []
    # Once applied, the upgraded version is what the next up compares with, upgradeFrom still set or not.
    assert transition_violations(memberships(_spec(real_plain, upgrade)), _spec(real_plain, upgrade)) == []


def test_a_joined_kubernetes_nodes_address_change_is_refused_with_the_two_steps(real_plain: dict[str, Any]) -> None:
    before = memberships(_spec(real_plain))

    def move(p: dict[str, Any]) -> None:
        next(n for n in p["nodes"] if n["name"] == "harlton")["ip"] = "10.4.0.26"

    [problem] = transition_violations(before, _spec(real_plain, move))
    assert problem.path == "nodes.harlton.ip"
    assert "joined Kubernetes at 10.4.0.17" in problem.message and "Changing a node's address" in problem.message

    def leave_then_move(p: dict[str, Any]) -> None:
        p["roles"]["kubernetes"]["workers"].remove("harlton")

    left = _spec(real_plain, leave_then_move)
    assert transition_violations(before, left) == []  # step 1: it leaves at its old address
    def left_and_moved(p: dict[str, Any]) -> None:
        leave_then_move(p)
        move(p)

    moved = _spec(real_plain, left_and_moved)
    assert transition_violations(memberships(left), moved) == []  # step 2: no longer joined, the address may move


def test_an_output_written_before_versions_and_addresses_existed_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "previous.json"
    path.write_text(json.dumps({"members": {"roles.vault.servers": ["fenn"]}, "kubeadmInit": "bettley"}),
                    encoding="utf-8")
    assert previous.read(path) == Memberships({"roles.vault.servers": ("fenn",)}, "bettley")
