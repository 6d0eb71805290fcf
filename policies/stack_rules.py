"""Stack-wide rules: odd quorums, every kubeadm join ordered after the init, Pi overclock within the safe
range for the board. They see every resource with its parent and dependency edges."""

import re
from collections import defaultdict
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy

from policies.common import MANDATORY, Needle, code, get, is_map, schema, setting
from policies.firmware import Setting, family, step_model, step_settings
from policies.stack_view import StackView, header_params

_INIT = Needle("kubeadm", re.compile(r"\bkubeadm\s+init\b(?!\s+phase\b)"))  # `kubeadm init phase upload-certs` is no init
_JOIN = Needle("kubeadm", re.compile(r"\bkubeadm\s+join\b"))
_CP_FLAG = Needle("--control-plane", re.compile(r"\bkubeadm\s+join\b[^\n]*--control-plane\b"))
# YAML or JSON: `kind: JoinConfiguration` ... `controlPlane:` (any order).
_JOIN_CONFIG_KIND = Needle("JoinConfiguration", re.compile(r"\"?kind\"?\s*:\s*\"?JoinConfiguration\b"))
_JOIN_CONFIG_CP_SECTION = re.compile(r"(?m)^\s*\"?controlPlane\"?\s*:|[{,]\s*\"controlPlane\"\s*:")
_BOOTSTRAP_EXPECT = Needle("bootstrap_expect", re.compile(r"\bbootstrap_expect\"?\s*[=:]\s*(\d+)"))
_QUORUM_MARKER = Needle("goldentooth:quorum", re.compile(r"(?m)^\s*#\s*goldentooth:quorum\s+([a-z0-9-]+)"))


def _control_plane_config(text: str) -> bool:
    return bool(_JOIN_CONFIG_KIND.search(text) and _JOIN_CONFIG_CP_SECTION.search(text))


def kubeadm_inits(view: StackView) -> list[PolicyResource]:
    return [c for c in view.commands() if _INIT.search(code(view.create(c)))]


def kubeadm_joins(view: StackView) -> list[PolicyResource]:
    return [c for c in view.commands() if _JOIN.search(code(view.create(c)))]


def is_control_plane_join(view: StackView, join: PolicyResource) -> bool:
    """`--control-plane`, a JoinConfiguration with controlPlane: on its stdin or written by a step it
    depends on, or a control-plane component above it."""
    if _CP_FLAG.search(code(view.create(join))) or _control_plane_config(view.stdin(join)):
        return True
    host = view.host(join)
    for dep in view.direct_dependencies(join):
        if dep.resource_type == join.resource_type and view.host(dep) == host and _control_plane_config(view.stdin(dep)):
            return True
    return any("ControlPlane" in a.resource_type for a in view.ancestors(join))


# --- odd quorums -------------------------------------------------------------------------------------------


def _validate_quorums(args: StackValidationArgs, report: ReportViolation) -> None:
    view = StackView(args.resources)
    groups: dict[str, set[str]] = defaultdict(set)
    for c in kubeadm_inits(view) + [j for j in kubeadm_joins(view) if is_control_plane_join(view, j)]:
        groups["etcd (kubeadm control plane)"].add(view.host(c))
    expected: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for c in view.commands():
        create = view.create(c)
        for group in _QUORUM_MARKER.findall(create):
            groups[group].add(view.host(c))
        target = header_params(create).get("GT_PATH") or c.name
        for text in (view.stdin(c), code(create)):
            for n in _BOOTSTRAP_EXPECT.findall(text):
                expected[target][int(n)].add(view.host(c))
    for group, hosts in sorted(groups.items()):
        if len(hosts) % 2 == 0:
            report(f"{group} has {len(hosts)} members ({', '.join(sorted(hosts))}): an even quorum.", None)
    for target, by_size in sorted(expected.items()):
        for size, hosts in sorted(by_size.items()):
            if size % 2 == 0:
                report(f"{target} sets bootstrap_expect = {size} (even) on {', '.join(sorted(hosts))}.", None)
            elif len(hosts) != size:
                report(f"{target} sets bootstrap_expect = {size} but {len(hosts)} hosts carry it.", None)


odd_quorums = StackValidationPolicy(
    name="odd-quorums",
    description="Raft/etcd quorums (kubeadm control plane, bootstrap_expect servers, goldentooth:quorum "
    "groups) have an odd number of members.",
    enforcement_level=MANDATORY,
    validate=_validate_quorums,
    remediation_steps="Use 1, 3 or 5 members: an even member count tolerates no more failures than one "
    "fewer and can split. Fix goldentooth:roles so each server list is odd.",
)


# --- join after init ---------------------------------------------------------------------------------------


def _validate_join_order(args: StackValidationArgs, report: ReportViolation) -> None:
    view = StackView(args.resources)
    inits = kubeadm_inits(view)
    joins = kubeadm_joins(view)
    if len(inits) > 1:
        report(f"{len(inits)} steps run kubeadm init ({view.named(inits)}): one cluster has one init.", None)
    if joins and not inits:
        report(f"{len(joins)} kubeadm join steps but no kubeadm init step.", None)
        return
    init_urns = {i.urn for i in inits}
    for join in joins:
        if not init_urns & view.waits_for(join):
            report(f"{join.name} runs kubeadm join without waiting for {view.named(inits)}.", join.urn)


join_after_init = StackValidationPolicy(
    name="kubeadm-join-after-init",
    description="Every kubeadm join step is ordered (directly or transitively) after the kubeadm init step.",
    enforcement_level=MANDATORY,
    validate=_validate_join_order,
    remediation_steps="Put the init step (or the component holding it) in the join's depends_on, or feed "
    "the join an Output of the init so the edge is real.",
)


# --- overclock ---------------------------------------------------------------------------------------------

OVERCLOCK_SCHEMA = schema(
    {
        "limits": {
            "type": "object",
            "description": "per hardware model: the highest arm_freq (MHz) and over_voltage we call safe; "
            "null means the knob must not be set",
            "default": {
                "pi4b-8gb": {"maxArmFreq": 2147, "maxOverVoltage": 6},
                "pi4b-4gb": {"maxArmFreq": 2147, "maxOverVoltage": 6},
                "pi5-8gb": {"maxArmFreq": 3000, "maxOverVoltage": None},
                "x86-64": {"maxArmFreq": None, "maxOverVoltage": None},
            },
        }
    }
)
LIMIT_KEYS = {"arm_freq": "maxArmFreq", "over_voltage": "maxOverVoltage"}


def _host_models(view: StackView) -> dict[str, str]:
    models: dict[str, str] = {}
    for c in view.commands():
        node = view.node_of(c)
        model = get(node.props, "model") if node is not None else None
        model = step_model(view.create(c)) or model
        if isinstance(model, str):
            models.setdefault(view.host(c), model)
    return models


def _check_setting(s: Setting, model: str | None, limits: Any, where: str) -> str | None:
    if model is None:
        return f"{where} sets {s.name}={s.value} but the board model is unknown"
    if s.family is not None and family(model) != s.family:
        return None  # a [pi4] section on a Pi 5 (or vice versa) is skipped by the firmware
    limit_set = get(limits, model) if is_map(limits) else None
    if limit_set is None:
        return f"{where} sets {s.name}={s.value} on {model}, which has no overclock limits configured"
    limit = get(limit_set, LIMIT_KEYS[s.name])
    if limit is None:
        return f"{where} sets {s.name}={s.value}, but {model} must not set {s.name}"
    if s.value > limit:
        return f"{where} sets {s.name}={s.value} on {model}; the safe maximum is {int(limit)}"
    return None


def _validate_overclock(args: StackValidationArgs, report: ReportViolation) -> None:
    view = StackView(args.resources)
    limits = setting(args.get_config(), OVERCLOCK_SCHEMA, "limits")
    models = _host_models(view)
    for c in view.commands():
        for s in step_settings(view.create(c), view.stdin(c)):
            problem = _check_setting(s, models.get(view.host(c)), limits, c.name)
            if problem:
                report(problem + ".", c.urn)


overclock_safe = StackValidationPolicy(
    name="pi-overclock-within-safe-range",
    description="Pi firmware overclock (arm_freq, over_voltage) stays within the safe range for the board.",
    enforcement_level=MANDATORY,
    validate=_validate_overclock,
    config_schema=OVERCLOCK_SCHEMA,
    remediation_steps="Lower firmware.armFreq/overVoltage in the node's config (config/hardware.py lists the "
    "safe maxima); Pi 5 takes no over_voltage.",
)

POLICIES = [odd_quorums, join_after_init, overclock_safe]
