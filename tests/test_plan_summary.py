"""`goldentooth plan`'s summary counts what the plan JSON holds, without the JSON's costly secret digests."""

from collections import Counter

import pytest

from offline import cli, plan
from offline.evaluate import Evaluation
from tests.conftest import STACK_FILE


def _section(text: str, title: str) -> dict[str, int]:
    rows = text.split(f"\n{title}:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return {row.split()[-4 if title == "by node" else 0]: int(row.split()[-1]) for row in rows}


def test_the_summary_counts_layers_types_nodes_and_protection_as_the_plan_document_has_them(
    real_file_evaluation: Evaluation,
) -> None:
    text = plan.summary(real_file_evaluation)
    resources = plan.plan_document(real_file_evaluation)["resources"]
    assert _section(text, "by layer") == Counter(r["layer"] for r in resources)
    assert _section(text, "by type") == Counter(r["type"] for r in resources)
    by_node = Counter(r["node"] for r in resources if r["node"])
    assert _section(text, "by node") == {n.name: by_node.get(n.name, 0) for n in real_file_evaluation.spec.nodes}
    protected = sum(1 for r in resources if r["protect"])
    assert f" {protected} protected," in text.splitlines()[0]


def test_plan_without_json_computes_no_secret_digest_and_with_json_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], real_file_evaluation: Evaluation
) -> None:
    monkeypatch.setattr(cli, "_evaluate", lambda config, preview=False: real_file_evaluation)  # the same stack
    calls: list[object] = []

    def counted(*args: object) -> dict[str, str]:
        calls.append(args)
        return {}

    monkeypatch.setattr(plan, "secret_digests", counted)
    assert cli.main(["plan", "--config", str(STACK_FILE)]) == 0
    assert calls == [] and capsys.readouterr().out.startswith("goldentooth plan: ")
    assert cli.main(["plan", "--config", str(STACK_FILE), "--json", "-"]) == 0
    assert calls  # the JSON still carries them
