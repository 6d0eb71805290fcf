"""Connection-only changes do no work on a node (issue 12 item 1), and the plan shows which secret input changed.

Rotating the SSH key, switching to the agent or changing a dial setting changes only the `connection` of the
remote steps. Every ordinary step has a no-work `update` (pulumi-command runs `update` on a non-trigger change), so
`goldentooth plan --against` counts those steps as connection-only updates. Frozen steps (kubeadm and Vault init)
ignore the connection. The few steps re-run by updates (reads whose stdout others use, steps whose edits update
them in place) re-run their read or idempotent checks: in the real stack exactly those listed in RERUN_BY_DESIGN.
Nothing else re-runs, and nothing else in the stack changes.
"""

import copy
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import SecretStr

from components.remote_step import NO_WORK_UPDATE
from offline.evaluate import Evaluation
from offline.plan import plan_document
from offline.plan_diff import CONNECTION_ONLY, NO_WORK, REPLACE, RERUN_UPDATE, classify, compare, summary
from tests.conftest import PROVIDERS, TEST_SECRETS, fake_secret_values
from tests.shared_evaluations import shared_evaluate

COMMAND = "command:remote:Command"
# Steps whose stdout (or id) other resources read, and how: the ones read by stdout must be updated in place.
# read-kubeconfig re-reads when init's id changes, a join re-runs when its credentials step's id changes; an update
# keeps the id.
READ_BY_ID = {"bettley-kubeadm-init", *(f"bettley-join-credentials-for-{n}" for n in (
    "cargyll", "dalt", "erenford", "fenn", "gardener", "harlton", "inchfield", "jast", "karstark", "lipps",
    "manderly", "norcross", "oakheart", "payne", "velaryon"))}
# Steps a connection change re-runs, and why that is no work: reads, or checks that adopt what is there.
RERUN_BY_DESIGN = {
    "bettley-read-kubeconfig": "reads admin.conf for the provider",
    "jast-pki-ca-identity": "reads the CA's root and fingerprint",
    "jast-pki-ca-init": "its edits update it in place: the adopt checks find the CA and change nothing",
    "velaryon-mounts": "its edits update it in place: finds the filesystem, the unit is already right",
    **{f"{pi}-reboot-check": "reports whether the node reboots; the rollout's gates and drains read that line"
       for pi in ("allyrion", "bettley", "cargyll", "dalt", "erenford", "fenn", "gardener", "harlton", "inchfield",
                  "jast", "karstark", "lipps", "manderly", "norcross", "oakheart", "payne")},
}


def _evaluate(plain: dict[str, Any], secrets: dict[str, str] | None = None) -> Evaluation:
    values = fake_secret_values()
    if secrets:
        values = type(values)({**{k: SecretStr(v) for k, v in TEST_SECRETS.items()},
                               **{k: SecretStr(v) for k, v in secrets.items()}})
    return shared_evaluate(plain, values, provider_config=PROVIDERS)


@pytest.fixture(scope="module")
def before(real_evaluation: Evaluation) -> dict[str, Any]:
    return plan_document(real_evaluation)


def _edited(real_plain: dict[str, Any], edit: Callable[[dict[str, Any]], None],
            secrets: dict[str, str] | None = None) -> dict[str, Any]:
    plain = copy.deepcopy(real_plain)
    edit(plain)
    return plan_document(_evaluate(plain, secrets))


def _agent(plain: dict[str, Any]) -> None:
    plain["ssh"] = {**plain["ssh"], "useAgent": True, "agentSocket": "/run/user/1000/ssh-agent.sock"}


def _dials(plain: dict[str, Any]) -> None:
    plain["ssh"] = {**plain["ssh"], "dialErrorLimit": 20, "perDialTimeout": 30}


EDITS: dict[str, tuple[Callable[[dict[str, Any]], None], dict[str, str] | None]] = {
    "rotate the SSH key": (lambda plain: None, {"sshPrivateKey": "TEST-SECRET-a-rotated-key-d0n0tl3ak"}),
    "switch to the agent": (_agent, None),
    "change the dial limits": (_dials, None),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_connection_only_edit_runs_no_script_on_any_node(
    edit: str, before: dict[str, Any], real_plain: dict[str, Any]
) -> None:
    after = _edited(real_plain, *EDITS[edit])
    changes = compare(before, after)
    kinds = Counter(c.kind for c in changes)
    commands = [r for r in after["resources"] if r["type"] == COMMAND]
    ordinary = [r for r in commands if r["inputs"].get("update") == NO_WORK_UPDATE]
    copies = [r for r in after["resources"] if r["type"] == "command:remote:CopyToRemote"]
    assert {c.urn for c in changes} <= {r["urn"] for r in (*commands, *copies)}, "only remote steps may change"
    assert kinds == {CONNECTION_ONLY: len(ordinary) + len(copies), RERUN_UPDATE: len(RERUN_BY_DESIGN)}, \
        summary(changes, len(after["resources"]), edit)
    assert sorted(c.urn.rsplit("::", 1)[-1] for c in changes if c.kind == RERUN_UPDATE) == sorted(RERUN_BY_DESIGN)
    text = summary(changes, len(after["resources"]), "before.json")
    assert f"{len(ordinary) + len(copies)}  {CONNECTION_ONLY}" in text and "bettley-read-kubeconfig (connection)" in text


def test_the_plan_json_shows_which_secret_input_changed_never_its_value(
    before: dict[str, Any], real_plain: dict[str, Any]
) -> None:
    rotated = "TEST-SECRET-a-rotated-key-d0n0tl3ak"
    after = _edited(real_plain, lambda plain: None, {"sshPrivateKey": rotated})
    old = next(r for r in before["resources"] if r["name"] == "allyrion-haproxy-core-cfg")
    new = next(r for r in after["resources"] if r["urn"] == old["urn"])
    assert new["inputs"]["connection"] == "[secret]"
    changed = sorted(k for k in new["secretDigests"] if new["secretDigests"][k] != old["secretDigests"].get(k))
    assert changed == ["connection.privateKey"]
    text = json.dumps(after)
    assert rotated not in text and TEST_SECRETS["sshPrivateKey"] not in json.dumps(before)


def test_a_script_edit_still_replaces_the_step_and_a_stdin_edit_of_an_ordinary_step_too(
    before: dict[str, Any],
) -> None:
    step = next(r for r in before["resources"] if r["name"] == "allyrion-haproxy-core-cfg")
    edited = copy.deepcopy(step)
    edited["inputs"]["triggers"] = ["another script digest", *step["inputs"]["triggers"][1:]]
    assert classify(step, edited) == REPLACE
    edited = copy.deepcopy(step)
    edited["inputs"]["stdin"] = "other content"
    assert "stdin" in step["replaceOnChanges"] and classify(step, edited) == REPLACE
    edited = copy.deepcopy(step)
    edited["inputs"]["logging"] = "none"
    assert classify(step, edited) == NO_WORK


def test_ordinary_steps_have_the_no_work_update_frozen_ones_ignore_the_connection(
    real_evaluation: Evaluation,
) -> None:
    for r in real_evaluation.of_type(COMMAND):
        frozen = {"create", "triggers"} <= set(r.ignore_changes)
        assert ("connection" in r.ignore_changes) == frozen, r.name
        marker = "goldentooth:lifecycle:" in r.urn  # a leave step: its create changes nothing, its delete leaves
        if not marker and (frozen or "triggers" in r.ignore_changes or r.name in RERUN_BY_DESIGN):
            assert "update" not in r.inputs, r.name
        else:
            assert r.inputs["update"] == NO_WORK_UPDATE, r.name
            # A leave step is never replaced: a replacement would run its delete, the leave.
            assert ("stdin" in r.replace_on_changes) == ("stdin" in r.inputs and not r.protect and not marker), r.name


def test_a_frozen_step_ignores_the_connection_and_an_in_place_step_reruns_on_an_edit(
    before: dict[str, Any],
) -> None:
    init = next(r for r in before["resources"] if r["name"] == "jast-pki-ca-init")
    edited = copy.deepcopy(init)
    edited["inputs"]["create"] = str(init["inputs"]["create"]) + " "
    assert classify(init, edited) == RERUN_UPDATE
    frozen = next(r for r in before["resources"] if r["name"] == "bettley-kubeadm-init")
    edited = copy.deepcopy(frozen)
    edited["secretDigests"]["connection.privateKey"] = "0" * 16
    assert classify(frozen, edited) is None


def test_every_step_whose_stdout_others_read_is_updated_in_place(real_evaluation: Evaluation) -> None:
    """An update running `true` would replace the stdout other resources read (a kubeconfig, a CA identity)."""
    commands = {r.urn: r for r in real_evaluation.of_type(COMMAND)}
    read = {commands[u].name for r in real_evaluation.resources
            for urns in r.property_dependencies.values() for u in urns if u in commands}
    assert read - READ_BY_ID, "the real stack reads some step's stdout"
    for name in sorted(read - READ_BY_ID):
        assert "update" not in real_evaluation.command(name).inputs, name
