"""`goldentooth check`: every rule of the policy pack over the offline evaluation.

Each recorded resource becomes the SDK's own `ResourceValidationArgs` / `PolicyResource`, built the way
the analyzer builds them during `pulumi preview`: camelCase inputs with secrets unwrapped, wrapped in
`unknown_checking_proxy`, and `PolicyResourceOptions` with exactly the fields pulumi-policy 1.21.0 has
(protect, ignoreChanges, deleteBeforeReplace, aliases, customTimeouts, additionalSecretOutputs, parent;
there is no retainOnDelete). What the mock monitor cannot supply is rebuilt or left out, and said so:
- props of custom resources are their inputs (the engine hands stack policies outputs, which for the
  providers used here echo the inputs plus cloud-assigned values);
- the `goldentooth:nodes:Node` component's outputs (`model`, ...) are not recorded by the mock monitor,
  so they are rebuilt from the validated spec, the same values `Node.register_outputs` publishes;
- aliases and custom timeouts are not recorded: empty.
Beyond the CLI, the offline check tells rules which inputs were secret and the stack's secret values
(policies/offline_context.py), so secret handling is checked precisely rather than by shape alone.
"""

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from inspect import isawaitable
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from config.errors import ConfigError, Violation
from config.secrets import PLACEHOLDER, SecretValues
from offline.evaluate import Evaluation
from offline.recorder import SECRET, RecordedResource
from policies import offline_context
from policies.catalog import POLICIES

STACK = "stack"
LEVELS = {level.value: level for level in EnforcementLevel}
CONNECTION_SECRETS = ("privateKey", "password")


@dataclass(frozen=True)
class Finding:
    policy: str
    level: EnforcementLevel
    resource: str  # "<type> <name>", or "stack" for a stack-wide finding without a resource
    urn: str
    message: str
    description: str
    fix: str

    @property
    def mandatory(self) -> bool:
        return self.level == EnforcementLevel.MANDATORY


# --- policy config: the same JSON `pulumi preview --policy-pack-config` reads --------------------------------


@dataclass(frozen=True)
class Effective:
    level: EnforcementLevel
    properties: dict[str, Any]


def read_policy_config(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError([Violation(str(path), f"cannot be read: {exc.strerror or exc}")]) from None
    except ValueError as exc:
        raise ConfigError([Violation(str(path), f"is not valid JSON: {exc}")]) from None
    if not isinstance(document, dict):
        raise ConfigError([Violation(str(path), "must be a JSON object keyed by policy name (or 'all')")])
    return document


def resolve_config(document: Mapping[str, Any], policies: Sequence[Policy]) -> dict[str, Effective]:
    """Level and properties per policy: policy entry > "all" > the policy's default; properties are the
    schema defaults overlaid with the entry's. Unknown policies, properties or levels are errors."""
    names = {p.name for p in policies}
    problems = [Violation(k, f"is not a policy of the pack (known: {', '.join(sorted(names))})")
                for k in document if k not in names and k != "all"]

    def level_of(key: str, entry: Any) -> EnforcementLevel | None:
        raw = entry if isinstance(entry, str) else entry.get("enforcementLevel") if isinstance(entry, dict) else None
        if raw is None:
            return None
        if raw not in LEVELS:
            problems.append(Violation(f"{key}.enforcementLevel", f"{raw!r} is not one of {', '.join(LEVELS)}"))
            return None
        return LEVELS[raw]

    default_level = level_of("all", document.get("all"))
    resolved: dict[str, Effective] = {}
    for policy in policies:
        entry = document.get(policy.name)
        level = level_of(policy.name, entry) or default_level or policy.enforcement_level or EnforcementLevel.ADVISORY
        schema = policy.config_schema.properties if policy.config_schema else {}
        properties = {k: v["default"] for k, v in schema.items() if "default" in v}
        if isinstance(entry, dict):
            for key, value in entry.items():
                if key == "enforcementLevel":
                    continue
                if key not in schema:
                    problems.append(Violation(f"{policy.name}.{key}", f"is not a setting of this policy (known: {', '.join(sorted(schema)) or 'none'})"))
                properties[key] = value
        resolved[policy.name] = Effective(level, properties)
    if problems:
        raise ConfigError(problems)
    return resolved


# --- recorded resources as the SDK's argument types -----------------------------------------------------------


def _options(r: RecordedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        r.protect,
        list(r.ignore_changes),
        True if r.delete_before_replace else None,
        [],
        PolicyCustomTimeouts(0, 0, 0),
        list(r.additional_secret_outputs),
        r.parent or None,
    )


def _node_outputs(ev: Evaluation, r: RecordedResource) -> dict[str, Any]:
    try:
        node = ev.spec.node(r.name)
    except KeyError:
        return {}  # a Node the spec does not know (crafted in a test) publishes nothing we can rebuild
    return {
        "name": node.name,
        "ip": str(node.ip),
        "fqdn": ev.spec.domains.node_fqdn(node.name),
        "model": node.model.value,
        "architecture": node.architecture,
    }


def _props(ev: Evaluation, r: RecordedResource) -> dict[str, Any]:
    if r.type == "goldentooth:nodes:Node" and not r.custom:
        return _node_outputs(ev, r)
    copy: dict[str, Any] = json.loads(json.dumps(r.raw_inputs))  # a private deep copy for the proxy
    return copy


def _provider(ref: str, by_urn: Mapping[str, RecordedResource]) -> PolicyProviderResource | None:
    urn = ref.rsplit("::", 1)[0] if ref else ""
    p = by_urn.get(urn)
    if p is None:
        return None  # default providers are not registered under mocks
    return PolicyProviderResource(p.type, unknown_checking_proxy(json.loads(json.dumps(p.raw_inputs))), p.urn, p.name)


def policy_resources(ev: Evaluation) -> list[PolicyResource]:
    """Every recorded resource as a `PolicyResource`, with parent and dependency links resolved."""
    by_urn = ev.by_urn()
    made = {
        r.urn: PolicyResource(r.type, unknown_checking_proxy(_props(ev, r)), r.urn, r.name, _options(r),
                              _provider(r.provider, by_urn), None, [], {})
        for r in ev.resources
    }
    for r in ev.resources:
        resource = made[r.urn]
        resource.parent = made.get(r.parent)
        resource.dependencies = [made[d] for d in r.dependencies if d in made]
        resource.property_dependencies = {k: [made[d] for d in v if d in made] for k, v in r.property_dependencies.items()}
    return [made[r.urn] for r in ev.resources]


# --- what only the offline evaluation knows about secrets -----------------------------------------------------


def _has_secret(value: Any) -> bool:
    if value == SECRET:
        return True
    if isinstance(value, dict):
        return any(_has_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secret(v) for v in value)
    return False


def _revealed(redacted: Any, raw: Any) -> list[str]:
    """String leaves of `raw` wherever `redacted` shows a secret."""
    if redacted == SECRET:
        return [s for s in _leaves(raw)]
    if isinstance(redacted, dict) and isinstance(raw, dict):
        return [s for k in redacted for s in _revealed(redacted[k], raw.get(k))]
    if isinstance(redacted, list) and isinstance(raw, list):
        return [s for a, b in zip(redacted, raw, strict=False) for s in _revealed(a, b)]
    return []


def _leaves(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _leaves(v)]
    if isinstance(value, list):
        return [s for v in value for s in _leaves(v)]
    return []


def secret_context(ev: Evaluation, secrets: SecretValues | None) -> dict[str, Any]:
    values: set[str] = set()
    if secrets is not None:
        values.update(v.get_secret_value() for v in secrets.values.values())
    inputs: dict[str, frozenset[str]] = {}
    for r in ev.resources:
        marked = frozenset(k for k, v in r.inputs.items() if _has_secret(v))
        if marked:
            inputs[r.urn] = marked
        for key in marked:
            if key == "connection":
                # Only the key material: host, user and port ride along inside the secret connection.
                connection = r.raw_inputs.get("connection") or {}
                values.update(str(connection[k]) for k in CONNECTION_SECRETS if connection.get(k))
            else:
                values.update(_revealed(r.inputs[key], r.raw_inputs.get(key)))
    values.discard(PLACEHOLDER)
    return offline_context.build(frozenset(values), inputs)


# --- running the rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reporter:
    """The `report_violation` callback handed to one policy run, collecting `Finding`s."""

    findings: list[Finding]
    policy: Policy
    level: EnforcementLevel
    labels: Mapping[str, str]
    resource_urn: str | None  # set for resource policies, whose reported urn the SDK ignores

    def __call__(self, message: str, urn: str | None = None, *, level: EnforcementLevel | None = None) -> None:
        target = self.resource_urn or urn or ""
        self.findings.append(
            Finding(self.policy.name, level or self.level, self.labels.get(target, STACK), target, message,
                    self.policy.description, self.policy.remediation_steps or "")
        )


def _validate(policy: Policy, args: ResourceValidationArgs | StackValidationArgs, reporter: _Reporter) -> None:
    """Run one validation like the analyzer does: an unknown value turns into an advisory note that the
    policy cannot run yet; "not applicable" is silent."""
    try:
        result = policy.validate(args, reporter)  # type: ignore[attr-defined]
        if isawaitable(result):
            asyncio.run(_await(result))
    except UnknownValueError as exc:
        reporter(f"can't run during preview: {exc.message}", level=EnforcementLevel.ADVISORY)
    except _NotApplicableError:
        return  # the rule does not apply to this resource: silent by design, as in the analyzer


async def _await(result: Any) -> None:
    await result


def check(
    ev: Evaluation,
    *,
    policy_config: Mapping[str, Any] | None = None,
    secrets: SecretValues | None = None,
    policies: Sequence[Policy] = POLICIES,
) -> list[Finding]:
    """Every violation the pack reports for `ev`, mandatory first, in a stable order."""
    effective = resolve_config(policy_config or {}, policies)
    context = secret_context(ev, secrets)
    resources = policy_resources(ev)
    labels = {r.urn: f"{r.resource_type} {r.name}" for r in resources}
    findings: list[Finding] = []
    for policy in policies:
        eff = effective[policy.name]
        if eff.level == EnforcementLevel.DISABLED:
            continue
        level = EnforcementLevel.MANDATORY if eff.level == EnforcementLevel.REMEDIATE else eff.level
        config = {**eff.properties, **context}
        if isinstance(policy, ResourceValidationPolicy):
            for r in resources:
                args = ResourceValidationArgs(r.resource_type, r.props, r.urn, r.name, r.opts, r.provider, config)
                _validate(policy, args, _Reporter(findings, policy, level, labels, r.urn))
        elif isinstance(policy, StackValidationPolicy):
            _validate(policy, StackValidationArgs(resources, config), _Reporter(findings, policy, level, labels, None))
    return sorted(findings, key=lambda f: (not f.mandatory, f.policy, f.urn, f.message))


def report(findings: Sequence[Finding], resource_count: int, policy_count: int) -> str:
    lines = []
    for f in findings:
        lines += [
            f"{f.level.value.upper():<9} {f.policy}: {f.description}",
            f"  resource: {f.resource}" + (f"  ({f.urn})" if f.urn else ""),
            f"  problem:  {f.message}",
            f"  fix:      {f.fix}",
            "",
        ]
    mandatory = sum(f.mandatory for f in findings)
    lines.append(
        f"{policy_count} policies over {resource_count} resources: "
        f"{mandatory} mandatory, {len(findings) - mandatory} advisory violation(s)"
    )
    return "\n".join(lines)
