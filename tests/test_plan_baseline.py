"""The real stack's plan is the committed baseline: the same resources with the same inputs, and every URN that
changed is claimed by an alias, so a real `pulumi up` updates in place instead of replacing."""

import json
import shlex
from collections.abc import Mapping
from typing import Any

import pytest

from components.remote_step import STEP_DIR
from components.script import digest as text_digest
from offline.evaluate import Evaluation
from offline.plan import plan_document
from offline.urns import EngineUrns, entries_of
from tests.plan_baseline import BASELINE, digest, rename_urns

# Scripts that moved to their layer's folder. The generated header names a script's path, so its step's text
# (and trigger) differs by that one comment line: on a real stack the step runs once more (each is idempotent).
MOVED_SCRIPTS = {
    ("allyrion", "haproxy-install"): ("edge/install.sh", "k8s/haproxy/install.sh"),
    ("allyrion", "haproxy-enable"): ("edge/enable.sh", "k8s/haproxy/enable.sh"),
}


# Layers that joined after the baseline was taken (before the architecture refactor): their resources are new by
# design. Each one that is on in the real stack adds resources under its own component.
ADDED_LAYERS = ("pki", "hashicorp", "storage", "observability", "batch")
# Former resources that a new layer changes on purpose, with why.
INTENDED_CHANGES = {
    # Argo CD's OIDC client trusts the PKI layer's root CA (read back from the CA), which only now exists.
    "urn:pulumi:goldentooth::goldentooth::goldentooth:k8s:ArgoCd$kubernetes:helm.sh/v3:Release::argocd",
    # Each Pi's reboot now waits for its reboot-check and its rollout window's quorum gates and drains (issue 11
    # item 4): new dependency edges only; inputs and triggers are unchanged, so nothing re-runs.
    *(f"urn:pulumi:goldentooth::goldentooth::goldentooth:nodes:Os$command:remote:Command::{pi}-reboot"
      for pi in ("allyrion", "bettley", "cargyll", "dalt", "erenford", "fenn", "gardener", "harlton", "inchfield",
                 "jast", "karstark", "lipps", "manderly", "norcross", "oakheart", "payne")),
    # The Kubernetes packages step refuses a version move without kubernetes.upgradeFrom, and a fresh node during
    # an upgrade (issue 12 item 4: never silent, never skew): its script changed, so it runs once more
    # (idempotent: on the live nodes the installed version equals versions.kubernetes).
    *(f"urn:pulumi:goldentooth::goldentooth::goldentooth:nodes:Os$command:remote:Command::{node}-kubernetes-packages"
      for node in ("bettley", "cargyll", "dalt", "erenford", "fenn", "gardener", "harlton", "inchfield", "jast",
                   "karstark", "lipps", "manderly", "norcross", "oakheart", "payne", "velaryon")),
    # The container runtime rolls window by window (issue 12 item 4): each containerd step now also waits for
    # the previous rollout window's runtime and packages. New edges only; nothing re-runs.
    *(f"urn:pulumi:goldentooth::goldentooth::goldentooth:nodes:Os$command:remote:Command::{node}-containerd"
      for node in ("bettley", "cargyll", "dalt", "fenn", "gardener", "inchfield", "jast", "karstark", "lipps",
                   "norcross", "oakheart", "payne", "velaryon")),
}
# New in former components: HAProxy's HTTPS router is deployed once the PKI layer issues its bundle.
ADDED_IN_FORMER_LAYERS = {
    "urn:pulumi:goldentooth::goldentooth::goldentooth:edge:HaproxyLoadBalancer$command:remote:Command::"
    "allyrion-haproxy-services-cfg",
}


# New components of former layers, with why. The node layer's rollout (issue 11 item 4): quorum gates, drains and
# uncordons between reboot windows, under `goldentooth:nodes:Rollout`.
ADDED_COMPONENTS = ("goldentooth:nodes:Rollout",)
# New steps of former components, by step name: each Pi's `reboot-check` (whether it reboots, for the rollout).
ADDED_STEPS = ("-reboot-check",)


def _added_by_a_new_layer(urn: str) -> bool:
    qualified = urn.split("::")[2]  # the type chain: goldentooth:index:Cluster$goldentooth:pki:Pki$...
    return (urn in ADDED_IN_FORMER_LAYERS or any(f"goldentooth:{layer}:" in qualified for layer in ADDED_LAYERS)
            or any(c in qualified for c in ADDED_COMPONENTS)
            or ("goldentooth:nodes:Os" in qualified and urn.endswith(ADDED_STEPS)))


def _baseline() -> dict[str, Any]:
    return json.loads(BASELINE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def match_to_baseline(baseline: Mapping[str, Any], document: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """new URN -> the baseline URN it continues, and the baseline URNs nothing (no URN, no alias) continues."""
    old = EngineUrns(entries_of(baseline))
    new = EngineUrns(entries_of(document))
    old_by_engine = {old.engine_urn(u): u for u in old.entries}
    continues: dict[str, str] = {}
    for urn in new.entries:
        claims = [old_by_engine[e] for e in (new.engine_urn(urn), *sorted(new.former(urn))) if e in old_by_engine]
        if len(claims) > 1:
            raise AssertionError(f"{urn} claims several former resources: {claims}")
        if claims:
            continues[urn] = claims[0]
    unclaimed = sorted(set(old.entries) - set(continues.values()))
    return continues, unclaimed


def _moved_script_text(ev: Evaluation, entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as it was before its script moved: the old path in the header, and the old text's digest."""
    node_step = tuple(entry["name"].split("-", 1))
    if node_step not in MOVED_SCRIPTS:
        return entry
    new_path, old_path = MOVED_SCRIPTS[node_step]
    [text] = [f.content for f in ev.files if f.node == node_step[0] and f.path == f"{STEP_DIR}/{node_step[1]}.sh"]
    assert f"generated from {new_path};" in text
    old_text = text.replace(f"generated from {new_path};", f"generated from {old_path};", 1)
    replacements = {shlex.quote(text): shlex.quote(old_text), text_digest(text): text_digest(old_text)}

    def swap(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, str):
            for before, after in replacements.items():
                value = value.replace(before, after)
        return value

    return swap(entry)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def plan(real_file_evaluation: Evaluation) -> dict[str, Any]:
    return plan_document(real_file_evaluation)


def test_every_former_urn_is_continued_by_one_resource_through_its_urn_or_an_alias(plan: dict[str, Any]) -> None:
    continues, unclaimed = match_to_baseline(_baseline(), plan)
    assert unclaimed == [], "resources of the baseline that nothing continues (add aliases):\n" + "\n".join(unclaimed)
    new_only = sorted(u for u in set(e.urn for e in entries_of(plan)) - set(continues) if not _added_by_a_new_layer(u))
    assert new_only == [], "resources the baseline does not have (regenerate it if intended):\n" + "\n".join(new_only)


def changed_resources(baseline: Mapping[str, Any], document: Mapping[str, Any], ev: Evaluation) -> list[str]:
    """Baseline URNs whose continuing resource has other inputs, options or edges than recorded."""
    continues, _ = match_to_baseline(baseline, document)
    recorded = {e["urn"]: e for e in baseline["resources"]}
    changed = []
    for entry in document["resources"]:
        before = continues.get(entry["urn"])
        if before is None:
            continue
        entry = rename_urns(_moved_script_text(ev, entry), continues.get)
        # Dependency edges are sets, listed in URN order: renamed URNs sort elsewhere.
        entry["dependencies"] = sorted(entry["dependencies"])
        entry["propertyDependencies"] = {k: sorted(v) for k, v in entry["propertyDependencies"].items()}
        # A new type or parent is what an alias declares (checked above); everything else must be as it was.
        for key in ("urn", "type", "name", "parent"):
            entry[key] = recorded[before][key]
        if digest(entry) != recorded[before]["digest"]:
            changed.append(before)
    return changed


def test_every_resource_has_the_inputs_and_options_of_the_resource_it_continues(
    plan: dict[str, Any], real_file_evaluation: Evaluation
) -> None:
    changed = [u for u in changed_resources(_baseline(), plan, real_file_evaluation) if u not in INTENDED_CHANGES]
    assert changed == [], "resources whose inputs or options changed:\n" + "\n".join(changed)


def test_the_check_catches_a_changed_input_and_a_changed_option(
    plan: dict[str, Any], real_file_evaluation: Evaluation
) -> None:
    edited = json.loads(json.dumps(plan))
    install, core = (next(e for e in edited["resources"] if e["name"] == n)
                     for n in ("allyrion-haproxy-install", "allyrion-haproxy-core-cfg"))
    install["protect"] = True
    core["inputs"]["stdin"] = str(core["inputs"].get("stdin")) + "# one more line\n"
    changed = [u for u in changed_resources(_baseline(), edited, real_file_evaluation) if u not in INTENDED_CHANGES]
    assert sorted(changed) == sorted(
        f"urn:pulumi:goldentooth::goldentooth::goldentooth:k8s:HaproxyLoadBalancer$command:remote:Command::{n}"
        for n in ("allyrion-haproxy-install", "allyrion-haproxy-core-cfg")
    )


def test_the_check_catches_a_component_moved_without_its_alias(plan: dict[str, Any]) -> None:
    stripped = json.loads(json.dumps(plan))
    for entry in stripped["resources"]:
        entry["aliases"] = []
    _, unclaimed = match_to_baseline(_baseline(), stripped)
    assert unclaimed, "without aliases the moved HAProxy component must leave former URNs unclaimed"
    assert all("HaproxyLoadBalancer" in u for u in unclaimed)
