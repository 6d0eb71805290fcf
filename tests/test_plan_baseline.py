"""The real stack's plan is the committed baseline: the same resources with the same inputs, and every URN that
changed is claimed by an alias, so a real `pulumi up` updates in place instead of replacing."""

import json
import shlex
from collections.abc import Mapping
from typing import Any

import pytest

from components.remote_step import NO_WORK_UPDATE, STEP_DIR
from components.script import digest as text_digest
from components.script import library_text
from offline.evaluate import Evaluation
from offline.placeholders import resource_id
from offline.plan import plan_document
from offline.urns import EngineUrns, entries_of
from tests.plan_baseline import BASELINE, digest, rename_urns
from tests.plan_baseline import ROOT as ROOT_DIR

# Scripts that moved to their layer's folder. The generated header names a script's path, so its step's text
# (and trigger) differs by that one comment line: on a real stack the step runs once more (each is idempotent).
MOVED_SCRIPTS = {
    ("allyrion", "haproxy-install"): ("edge/install.sh", "k8s/haproxy/install.sh"),
    ("allyrion", "haproxy-enable"): ("edge/enable.sh", "k8s/haproxy/enable.sh"),
}


# Layers that joined after the baseline was taken (before the architecture refactor): their resources are new by
# design. Each one that is on in the real stack adds resources under its own component.
# lifecycle: one leave command per (node, membership step), whose create changes nothing on the host (issue 19).
# rollout: the rolling reboots' gates, drains and uncordons, once under `goldentooth:nodes:Rollout` (issue 12).
ADDED_LAYERS = ("pki", "hashicorp", "storage", "observability", "batch", "lifecycle", "rollout")
_K8S = "urn:pulumi:goldentooth::goldentooth::goldentooth:k8s:"
_REAL_NODES = ("allyrion", "bettley", "cargyll", "dalt", "erenford", "fenn", "gardener", "harlton", "inchfield",
               "jast", "karstark", "lipps", "manderly", "norcross", "oakheart", "payne", "velaryon")
_KUBERNETES_NODES = _REAL_NODES[1:]
_WORKERS = ("erenford", "fenn", "gardener", "harlton", "inchfield", "jast", "karstark", "lipps", "manderly",
            "norcross", "oakheart", "payne", "velaryon")
# Former resources that a change changes on purpose, with why.
INTENDED_CHANGES = {
    # Installs HAProxy through gt_apt_install (the node's apt lock and a refreshed list: issue 12 item 5).
    "urn:pulumi:goldentooth::goldentooth::goldentooth:k8s:HaproxyLoadBalancer$command:remote:Command::"
    "allyrion-haproxy-install",
    # Waits for the early services file too (issue 11 item 3: the restart into goldentooth.d/ keeps the web routes).
    "urn:pulumi:goldentooth::goldentooth::goldentooth:k8s:HaproxyLoadBalancer$command:remote:Command::"
    "allyrion-haproxy-drop-in",
    # Argo CD's OIDC client trusts the PKI layer's root CA (read back from the CA), which only now exists.
    f"{_K8S}ArgoCd$kubernetes:helm.sh/v3:Release::argocd",
    # ExternalDNS takes over the live records (issue 11 item 6, README): the live instance's TXT owner id
    # (external-dns-external-dns, not goldentooth) and Gateway HTTPRoutes as a source beside Services (PDS).
    "urn:pulumi:goldentooth::goldentooth::goldentooth:k8s:ExternalDns$kubernetes:helm.sh/v3:Release::external-dns",
    # ACM validation records no longer upsert (allow_overwrite): an existing one is imported (issue 11 item 2).
    "urn:pulumi:goldentooth::goldentooth::goldentooth:aws:Certificate$aws:route53/record:Record::"
    "edge-validation-goldentooth.net",
    "urn:pulumi:goldentooth::goldentooth::goldentooth:aws:Certificate$aws:route53/record:Record::"
    "edge-validation-home-proxy.goldentooth.net",
    # Issue 12 item 8: HAProxy's env and core files are written side by side (the core file is validated with a
    # stand-in password when the env file is not there yet), HAProxy is enabled beside them and the drop-in's
    # restart comes last: two steps fewer before kubeadm init.
    *(f"{_K8S}HaproxyLoadBalancer$command:remote:Command::allyrion-haproxy-{n}" for n in ("core-cfg", "drop-in", "enable")),
    # Issue 11 item 3: a new env file or drop-in restarts HAProxy with a bridge HAProxy holding its ports
    # (edge/restart.sh), not systemd's stop-then-start, which refuses connections; the env file restarts nothing
    # while the unit does not read it yet (the live cluster's first run).
    f"{_K8S}HaproxyLoadBalancer$command:remote:Command::allyrion-haproxy-env",
    # Issue 11 item 1: the init node's own CA is adopted (init waits for the look at the node and prints the CA's
    # pin); the init config carries kubeadm's clusterName of the live cluster (`kubernetes`) and waits only for
    # the node's last boot; the provider selects the live context `kubernetes-admin@kubernetes` and the kubeconfig
    # read checks admin.conf against the CA on disk.
    f"{_K8S}KubeadmInit$command:remote:Command::bettley-kubeadm-init",
    f"{_K8S}KubeadmInit$command:remote:Command::bettley-kubeadm-init-config",
    f"{_K8S}ClusterAccess$command:remote:Command::bettley-read-kubeconfig",
    f"{_K8S}ClusterAccess$pulumi:providers:kubernetes::goldentooth-kubernetes",
    # Issue 12 items 6 and 8: each join re-runs with its own credentials step (its id in the triggers), carries
    # the node's name and address, pins the CA the init step read back, and its config waits only for the
    # node's last boot; workers no longer wait for the control-plane joins.
    *(f"{_K8S}{kind}$command:remote:Command::{node}-kubeadm-{step}"
      for kind, names in (("ControlPlaneJoin", ("cargyll", "dalt")), ("WorkerJoin", _WORKERS))
      for node in names for step in ("join", "join-config")),
    # IAM is global: its users, policies and keys moved from the regional provider to the us-east-1 one, so a
    # change of aws.region no longer touches them (issue 12, item 3). Both providers had the same config here,
    # so the engine's DiffConfig finds nothing to replace: an in-place no-op.
    *(
        f"urn:pulumi:goldentooth::goldentooth::goldentooth:aws:{component}$aws:iam/{type_}::{name}"
        for component, name in (("VaultSeal", "vault-seal"), ("ExternalDnsIdentity", "external-dns"))
        for type_ in ("user:User", "userPolicy:UserPolicy", "accessKey:AccessKey")
    ),
    # Each Pi's reboot now waits for its reboot-check and its rollout window's quorum gates and drains (issue 11
    # item 4), and carries GT_ROLLING (issue 12 item 8: the rolling reboot of a node in service): its text
    # changed, so it runs once more and reboots nothing unless a boot file changed.
    *(f"urn:pulumi:goldentooth::goldentooth::goldentooth:nodes:Os$command:remote:Command::{pi}-reboot"
      for pi in ("allyrion", "bettley", "cargyll", "dalt", "erenford", "fenn", "gardener", "harlton", "inchfield",
                 "jast", "karstark", "lipps", "manderly", "norcross", "oakheart", "payne")),
    # The Kubernetes packages step refuses a version move without kubernetes.upgradeFrom, and a fresh node during
    # an upgrade (issue 12 item 4: never silent, never skew): its script changed, so it runs once more
    # (idempotent: on the live nodes the installed version equals versions.kubernetes).
    *(f"urn:pulumi:goldentooth::goldentooth::goldentooth:nodes:Os$command:remote:Command::{node}-kubernetes-packages"
      for node in ("bettley", "cargyll", "dalt", "erenford", "fenn", "gardener", "harlton", "inchfield", "jast",
                   "karstark", "lipps", "manderly", "norcross", "oakheart", "payne", "velaryon")),
    # Issue 12 items 4 and 8: on a node in service (the live ones) the bootstrap containerd step leaves a runtime
    # change to `containerd-rolling` in the node's window (its script gained that test: it runs once more and,
    # in service with containerd installed, changes nothing); on a fresh node it installs at once.
    *(f"urn:pulumi:goldentooth::goldentooth::goldentooth:nodes:Os$command:remote:Command::{node}-containerd"
      for node in _KUBERNETES_NODES),
    # Issue 12 item 8: a fresh node reboots at its reboot-check and the node's other steps wait for
    # `wait-fresh-boot` instead of the rolling `wait-boot` (new edges only: nothing re-runs); the rolling reboot
    # and its wait carry GT_ROLLING (their text changed: each runs once more, and finds nothing to do unless a
    # boot file changed).
    *(f"urn:pulumi:goldentooth::goldentooth::goldentooth:nodes:Os$command:remote:Command::{node}-{step}"
      for node in _REAL_NODES
      for step in ("swap-off", "kernel", "journald", "wireless-off", "ssh-hardening", "unattended-upgrades",
                   "nfs-mounts", "nfs-server", "wait-boot")),
}
# Former resources removed on purpose, with why.
REMOVED = {
    # Issue 11 item 1: the program no longer makes a cluster CA: the live one is adopted, a new cluster's is made
    # by kubeadm init on the init node, so the CA key is never in state, outputs or a command. (Never applied to
    # a stack: no `pulumi state unprotect` is needed.)
    f"{_K8S}ClusterPki$tls:index/privateKey:PrivateKey::goldentooth-kubernetes-ca",
    f"{_K8S}ClusterPki$tls:index/selfSignedCert:SelfSignedCert::goldentooth-kubernetes-ca",
    f"{_K8S}KubeadmInit$command:remote:Command::bettley-kubernetes-ca-cert",
    f"{_K8S}KubeadmInit$command:remote:Command::bettley-kubernetes-ca-key",
    # Issue 12 item 6: one credentials step per join (bettley-join-credentials-for-<node>) replaces the token
    # refresh and certificate upload that ran once, when created.
    *(f"{_K8S}ControlPlaneJoin$command:remote:Command::bettley-{step}-for-{node}"
      for node in ("cargyll", "dalt") for step in ("bootstrap-token", "upload-certs")),
    *(f"{_K8S}WorkerJoin$command:remote:Command::bettley-bootstrap-token-for-{node}" for node in _WORKERS),
}
# New in former components: HAProxy's HTTPS router is deployed once the PKI layer issues its bundle; the look at
# the init node before anything of the bootstrap is written, and each join's credentials step (see REMOVED).
ADDED_IN_FORMER_LAYERS = {
    "urn:pulumi:goldentooth::goldentooth::goldentooth:edge:HaproxyLoadBalancer$command:remote:Command::"
    "allyrion-haproxy-services-cfg",
    f"{_K8S}KubeadmInit$command:remote:Command::bettley-kubeadm-adopt",
    *(f"{_K8S}ControlPlaneJoin$command:remote:Command::bettley-join-credentials-for-{n}" for n in ("cargyll", "dalt")),
    *(f"{_K8S}WorkerJoin$command:remote:Command::bettley-join-credentials-for-{n}" for n in _WORKERS),
    # The services file written before the unit moves to the directory, with the bundle already on the node.
    "urn:pulumi:goldentooth::goldentooth::goldentooth:edge:HaproxyLoadBalancer$command:remote:Command::"
    "allyrion-haproxy-services-early",
}
# Issue 20: the /etc/hosts list of every node travels by reference (components/shared_file.py), not inside each
# node's identity step, whose inputs were quadratic in the inventory. Each node gains an upload of the one shared
# file, and its identity step takes the staged path and the list's sha256 instead of the list (its script runs
# once more and writes the same /etc/hosts).
ADDED_IN_FORMER_LAYERS |= {
    f"urn:pulumi:goldentooth::goldentooth::goldentooth:nodes:Os$command:remote:CopyToRemote::{node}-hosts-upload"
    for node in _REAL_NODES
}
HOSTS_BY_REFERENCE = {
    f"urn:pulumi:goldentooth::goldentooth::goldentooth:nodes:Os$command:remote:Command::{node}-identity"
    for node in _REAL_NODES
}


# Every remote step, on purpose (issue 12 item 1: a connection-only change does no work on a node): an ordinary
# step gains `update: true` and replaces on a `stdin` change; a step updated in place ignores `connection`.
# On the real stack the first `up` after this is one update per step that runs `true` (no script), and stores
# the no-work update, so later connection edits are updates of that kind.
def _before_connection_rules(entry: dict[str, Any]) -> dict[str, Any]:
    if entry["type"] != "command:remote:Command":
        return entry
    entry = json.loads(json.dumps(entry))
    if entry["inputs"].get("update") == NO_WORK_UPDATE:
        del entry["inputs"]["update"]
        entry["replaceOnChanges"] = [k for k in entry["replaceOnChanges"] if k != "stdin"]
    else:
        entry["ignoreChanges"] = [k for k in entry["ignoreChanges"] if k != "connection"]
    return entry


# The helper library every step carries changed on purpose (issue 12 item 5: apt calls refresh the lists under the
# node's lock before each install, and a moved source refreshes them). Every step's text differs by the library:
# on a real stack each runs once more (each is idempotent; a first `up` against the Ansible-built cluster runs every
# step anyway). The library as the baseline has it: tests/fixtures/plan_baseline_lib.sh.
BASELINE_LIBRARY = ROOT_DIR / "tests" / "fixtures" / "plan_baseline_lib.sh"


def _library_digests(ev: Evaluation) -> dict[str, str]:
    """Digest of each step text -> digest of that text with the baseline's library (other steps' triggers carry
    them: a reboot re-runs whenever its firmware step does)."""
    old_library = BASELINE_LIBRARY.read_text(encoding="utf-8").split("\n", 1)[1]
    return {text_digest(f.content): text_digest(f.content.replace(library_text(), old_library, 1))
            for f in ev.files if f.path.startswith(f"{STEP_DIR}/") and library_text() in f.content}


def _with_baseline_library(entry: dict[str, Any], digests: Mapping[str, str]) -> dict[str, Any]:
    if entry["type"] != "command:remote:Command" or not isinstance(entry["inputs"].get("create"), str):
        return entry
    entry = json.loads(json.dumps(entry))
    create = entry["inputs"]["create"]
    words = shlex.split(create)
    text = words[words.index("-c") + 1] if "-c" in words else ""
    if library_text() in text:
        old_library = BASELINE_LIBRARY.read_text(encoding="utf-8").split("\n", 1)[1]
        old_text = text.replace(library_text(), old_library, 1)
        entry["inputs"]["create"] = create.replace(shlex.quote(text), shlex.quote(old_text), 1)
        digests = {**digests, text_digest(text): text_digest(old_text)}
    entry["inputs"]["triggers"] = [digests.get(t, t) if isinstance(t, str) else t
                                   for t in entry["inputs"].get("triggers", [])]
    return entry


# New node steps (issue 11 item 5: what the live nodes rely on): every node's operator account, MetalLB route and
# homepage, velaryon's disk mount. They are part of each node's converged OS, so what waits for the OS waits for
# them too: those edges are the only change to the steps after them (velaryon's NFS export also waits for its mount).
NEW_NODE_STEPS = ("operator-user", "metallb-route", "homepage", "mounts")


def _is_new_node_step(urn: str) -> bool:
    if "goldentooth:nodes:Os$command:remote:Command::" not in urn:
        return False
    node_step = urn.rsplit("::", 1)[-1].split("-", 1)
    return len(node_step) == 2 and node_step[1] in NEW_NODE_STEPS


def _without_new_node_steps(entry: dict[str, Any]) -> dict[str, Any]:
    entry = dict(entry)
    entry["dependencies"] = [d for d in entry["dependencies"] if not _is_new_node_step(d)]
    entry["propertyDependencies"] = {k: [d for d in v if not _is_new_node_step(d)]
                                     for k, v in entry["propertyDependencies"].items()}
    return entry


# New components of former layers, with why. The node layer's rollout (issue 11 item 4): quorum gates, drains and
# uncordons between reboot windows, under `goldentooth:nodes:Rollout`.
ADDED_COMPONENTS = ("goldentooth:nodes:Rollout",)
# New steps of former components, by step name: each Pi's `reboot-check` (whether it reboots, for the rollout;
# a fresh node reboots there) and `wait-fresh-boot` after it; each Kubernetes node's `containerd-rolling`.
ADDED_STEPS = ("-reboot-check", "-wait-fresh-boot", "-containerd-rolling")


def _added_by_a_new_layer(urn: str) -> bool:
    qualified = urn.split("::")[2]  # the type chain: goldentooth:index:Cluster$goldentooth:pki:Pki$...
    return (urn in ADDED_IN_FORMER_LAYERS or _is_new_node_step(urn)
            or any(f"goldentooth:{layer}:" in qualified for layer in ADDED_LAYERS)
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


def _continued_provider(entry: dict[str, Any], continues: Mapping[str, str]) -> dict[str, Any]:
    """An aliased provider keeps its ID in state: the reference names the former URN and the former ID."""
    head, sep, _ = str(entry.get("provider") or "").rpartition("::")
    former = continues.get(head)
    if not sep or former is None or former == head:
        return entry
    provider_type = head.split("::")[2].rsplit("$", 1)[-1]
    return {**entry, "provider": f"{former}::{resource_id(provider_type, former.rsplit('::', 1)[1])}"}


@pytest.fixture(scope="module")
def plan(real_file_evaluation: Evaluation) -> dict[str, Any]:
    return plan_document(real_file_evaluation)


def test_every_former_urn_is_continued_by_one_resource_through_its_urn_or_an_alias(plan: dict[str, Any]) -> None:
    continues, unclaimed = match_to_baseline(_baseline(), plan)
    unclaimed = [u for u in unclaimed if u not in REMOVED]
    assert unclaimed == [], "resources of the baseline that nothing continues (add aliases):\n" + "\n".join(unclaimed)
    new_only = sorted(u for u in set(e.urn for e in entries_of(plan)) - set(continues) if not _added_by_a_new_layer(u))
    assert new_only == [], "resources the baseline does not have (regenerate it if intended):\n" + "\n".join(new_only)


def changed_resources(baseline: Mapping[str, Any], document: Mapping[str, Any], ev: Evaluation) -> list[str]:
    """Baseline URNs whose continuing resource has other inputs, options or edges than recorded."""
    continues, _ = match_to_baseline(baseline, document)
    recorded = {e["urn"]: e for e in baseline["resources"]}
    changed = []
    digests = _library_digests(ev)
    for entry in document["resources"]:
        before = continues.get(entry["urn"])
        if before is None:
            continue
        entry = _with_baseline_library(_moved_script_text(ev, _before_connection_rules(entry)), digests)
        entry = rename_urns(_continued_provider(_without_new_node_steps(entry), continues), continues.get)
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
    changed = [u for u in changed_resources(_baseline(), plan, real_file_evaluation)
               if u not in INTENDED_CHANGES | HOSTS_BY_REFERENCE]
    assert changed == [], "resources whose inputs or options changed:\n" + "\n".join(changed)


def test_the_identity_steps_changed_because_the_hosts_list_moved_to_an_upload(
    plan: dict[str, Any], real_file_evaluation: Evaluation
) -> None:
    """Every entry of the table did change (a stale one would excuse nothing), and each changed step now waits
    for its node's upload and carries the list's digest instead of the list."""
    changed = set(changed_resources(_baseline(), plan, real_file_evaluation))
    assert changed >= HOSTS_BY_REFERENCE
    for node in _REAL_NODES:
        identity = real_file_evaluation.command(f"{node}-identity")
        upload = real_file_evaluation.one("command:remote:CopyToRemote", f"{node}-hosts-upload")
        assert upload.urn in identity.dependencies
        assert "GT_HOSTS_DIGEST" in identity.inputs["create"] and "GT_HOSTS_BLOCK" not in identity.inputs["create"]


def test_the_check_catches_a_changed_input_and_a_changed_option(
    plan: dict[str, Any], real_file_evaluation: Evaluation
) -> None:
    edited = json.loads(json.dumps(plan))
    # Two former remote steps that no change claims (which ones varies as changes land).
    continues, _ = match_to_baseline(_baseline(), plan)
    unchanged = set(continues.values()) - set(changed_resources(_baseline(), plan, real_file_evaluation))
    install, core = [e for e in edited["resources"]
                     if e["type"] == "command:remote:Command" and continues.get(e["urn"]) in unchanged][:2]
    install["protect"] = True
    core["inputs"]["stdin"] = str(core["inputs"].get("stdin")) + "# one more line\n"
    changed = [u for u in changed_resources(_baseline(), edited, real_file_evaluation)
               if u not in INTENDED_CHANGES | HOSTS_BY_REFERENCE]
    assert sorted(changed) == sorted(continues[e["urn"]] for e in (install, core))


def test_the_check_catches_a_component_moved_without_its_alias(plan: dict[str, Any]) -> None:
    stripped = json.loads(json.dumps(plan))
    for entry in stripped["resources"]:
        entry["aliases"] = []
    _, unclaimed = match_to_baseline(_baseline(), stripped)
    unclaimed = [u for u in unclaimed if u not in REMOVED]
    assert unclaimed, "without aliases the moved HAProxy component must leave former URNs unclaimed"
    # the moved HAProxy component, and the regional AWS provider that lost the region from its name
    renamed_provider = "urn:pulumi:goldentooth::goldentooth::goldentooth:aws:Cloud$pulumi:providers:aws::aws-us-east-1"
    assert all("HaproxyLoadBalancer" in u or u == renamed_provider for u in unclaimed)
    assert renamed_provider in unclaimed
