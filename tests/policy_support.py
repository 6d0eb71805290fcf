"""Helpers for the policy tests: the SDK's own argument types built from real resource registrations
(recorded under the mock monitor, so props carry the engine's camelCase names) or from explicit props."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import unknown_checking_proxy

from offline import recorder
from offline.check import Finding, policy_resources
from offline.evaluate import Evaluation
from offline.recorder import RecordedResource

STACK_URN = "urn:pulumi:goldentooth::goldentooth::pulumi:pulumi:Stack::goldentooth-goldentooth"


def record(program: Callable[[], object]) -> tuple[RecordedResource, ...]:
    """Run `program` (which registers resources with the real SDKs) under the recording mock monitor."""
    return recorder.record(program, config={"aws:region": "us-east-1"})


def with_resources(base: Evaluation, extra: Sequence[RecordedResource]) -> Evaluation:
    """`base` plus crafted resources: an evaluation that `goldentooth check` runs over like any other."""
    return replace(base, resources=tuple(sorted((*base.resources, *extra), key=lambda r: r.urn)))


def options(*, protect: bool = False, secret_outputs: Sequence[str] = (), parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), list(secret_outputs), parent)


def resource_args(
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str = "subject",
    protect: bool = False,
    secret_outputs: Sequence[str] = (),
    config: Mapping[str, Any] | None = None,
) -> ResourceValidationArgs:
    urn = f"urn:pulumi:goldentooth::goldentooth::{resource_type}::{name}"
    return ResourceValidationArgs(
        resource_type, unknown_checking_proxy(dict(props)), urn, name,
        options(protect=protect, secret_outputs=secret_outputs, parent=STACK_URN), None, dict(config or {}),
    )


def violations(policy: Policy, args: ResourceValidationArgs | StackValidationArgs) -> list[str]:
    found: list[str] = []
    policy.validate(args, lambda message, urn=None: found.append(message))  # type: ignore[attr-defined]
    return found


def stack_resource(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    dependencies: Sequence[PolicyResource] = (),
    property_dependencies: Mapping[str, list[PolicyResource]] | None = None,
    parent: PolicyResource | None = None,
) -> PolicyResource:
    urn = f"urn:pulumi:goldentooth::goldentooth::{resource_type}::{name}"
    return PolicyResource(
        resource_type, unknown_checking_proxy(dict(props)), urn, name, options(parent=parent.urn if parent else None),
        None, parent, list(dependencies), dict(property_dependencies or {}),
    )


def recorded_stack(base: Evaluation, program: Callable[[], object]) -> StackValidationArgs:
    """Stack-policy args over resources registered by `program`, through the offline adapter."""
    ev = with_resources(replace(base, resources=()), record(program))
    return StackValidationArgs(policy_resources(ev), {})


def rule_names(findings: Sequence[Finding]) -> set[str]:
    return {f.policy for f in findings}




def recorded_args(base: Evaluation, program: Callable[[], object]) -> list[ResourceValidationArgs]:
    """Resource-policy args for every resource `program` registers, through the offline adapter."""
    return [
        ResourceValidationArgs(r.resource_type, r.props, r.urn, r.name, r.opts, r.provider, {})
        for r in recorded_stack(base, program).resources
    ]
