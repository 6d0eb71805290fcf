"""`policies/config.json` is generated from the program (offline/policy_config.py), and the pack's own defaults
agree with it, so the pack checks the namespaces, pools and limits the program really uses."""

from typing import Any

from pulumi_policy import Policy

from config.spec import ClusterSpec
from k8s.metallb import NAMESPACE as METALLB_NAMESPACE
from offline.evaluate import Evaluation
from offline.policy_config import POLICY_CONFIG, policy_config, render
from policies.catalog import POLICIES


def _by_name() -> dict[str, Policy]:
    return {p.name: p for p in POLICIES}


def test_the_committed_policy_config_is_the_generated_one(real_evaluation: Evaluation) -> None:
    assert POLICY_CONFIG.read_text(encoding="utf-8") == render(real_evaluation.spec), (
        "policies/config.json drifted from the program: run .venv/bin/python -m offline.policy_config --write"
    )


def test_the_packs_defaults_are_the_programs_facts(real_evaluation: Evaluation) -> None:
    spec: ClusterSpec = real_evaluation.spec
    policies = _by_name()
    for name, settings in policy_config(spec).items():
        schema = policies[name].config_schema
        assert schema is not None, f"{name} takes no settings"
        for key, value in settings.items():
            if key == "enforcementLevel":
                continue
            default: Any = schema.properties[key]["default"]
            if key == "pools":
                continue  # the pool is the stack's own setting, not a fact of the program
            assert default == value, f"{name}.{key}: the pack's default {default!r} is not the program's {value!r}"


def test_the_metallb_namespace_the_program_creates_may_run_privileged_pods(real_evaluation: Evaluation) -> None:
    allowed = policy_config(real_evaluation.spec)["k8s-privileged-pods-allowed-namespaces"]["allowedNamespaces"]
    assert METALLB_NAMESPACE in allowed
    created = {r.inputs["metadata"]["name"] for r in real_evaluation.resources
               if r.type == "kubernetes:core/v1:Namespace" and isinstance(r.inputs.get("metadata"), dict)}
    assert METALLB_NAMESPACE in created
