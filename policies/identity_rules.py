"""Protected identities stay put: an edit that would replace or delete what a protected resource *is* (an S3
bucket's name or region, the region and alias of the Vault seal's KMS key) is reported at preview, before
anything runs, with what to do instead.

Such a replacement is inherent, not a bug to design away: S3 bucket names are permanent and neither buckets
nor KMS keys move between regions, so a renamed bucket is a new, empty one and a region change is a new key
that cannot decrypt what Vault sealed with the old one. `protect` makes the engine refuse the replacement, but
only when it reaches that resource, with a message about protection, not about why. The pack has no view of
the previous state, so the identities of the live resources are pinned in its config (`policies/config.json`,
generated from the real stack by `offline/policy_config.py`; a test fails when it drifts): the pin is the
record of what exists, and regenerating it is the deliberate, reviewed step that accepts a move.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy

from policies.common import MANDATORY, get, schema, setting
from policies.stateful import BUCKET_TYPES

KMS_ALIAS = "aws:kms/alias:Alias"

IDENTITY_SCHEMA = schema(
    {
        # The defaults are the real stack's (the pack serves this one stack, and without its config it must still
        # protect them); tests/test_policies_config.py keeps them equal to what the program generates.
        "buckets": {
            "type": "array",
            "description": "the live protected S3 buckets: [{name, region}]",
            "default": [
                {"name": "goldentooth-backups", "region": "us-east-1"},
                {"name": "goldentooth-pulumi-state", "region": "us-east-1"},
            ],
        },
        "kmsAliases": {
            "type": "array",
            "description": "the live protected KMS keys, by alias: [{name (alias/...), region}]",
            "default": [{"name": "alias/goldentooth/vault-seal", "region": "us-east-1"}],
        },
    }
)


def _region(resource: PolicyResource) -> Any:
    return get(resource.provider.props, "region") if resource.provider is not None else None


def _by_name(resources: list[PolicyResource], types: tuple[str, ...], key: str) -> dict[str, list[PolicyResource]]:
    found: dict[str, list[PolicyResource]] = {}
    for r in resources:
        if r.resource_type in types:
            name = get(r.props, key)
            if isinstance(name, str):
                found.setdefault(name, []).append(r)
    return found


def _pins(config: Mapping[str, Any], key: str) -> Iterator[tuple[str, str]]:
    for pin in setting(config, IDENTITY_SCHEMA, key) or []:
        name, region = get(pin, "name"), get(pin, "region")
        if isinstance(name, str) and isinstance(region, str):
            yield name, region


def _validate(args: StackValidationArgs, report: ReportViolation) -> None:
    if not any(r.resource_type == "pulumi:providers:aws" for r in args.resources):
        return  # the program names its AWS providers; a fragment without one manages none of these
    config = args.get_config()
    buckets = _by_name(args.resources, BUCKET_TYPES, "bucket")
    for name, region in _pins(config, "buckets"):
        matches = buckets.get(name, [])
        if not matches:
            report(
                f"the live S3 bucket {name} ({region}) is no longer in the program: a renamed or removed "
                "aws.buckets entry deletes the bucket and its objects (bucket names are permanent). To rename, "
                "add the new bucket beside it, copy the objects, then drop the old entry in a change of its own.",
                None,
            )
        for bucket in matches:
            moved = _region(bucket)
            if isinstance(moved, str) and moved != region:
                report(
                    f"the live S3 bucket {name} is in {region}, but aws.region now puts it in {moved}: buckets "
                    f"cannot move region, so this replaces it (a new empty bucket). Keep aws.region: {region}.",
                    bucket.urn,
                )
    aliases = _by_name(args.resources, (KMS_ALIAS,), "name")
    for name, region in _pins(config, "kmsAliases"):
        matches = aliases.get(name, [])
        if not matches:
            report(
                f"the live KMS key {name} ({region}) is no longer in the program: Vault's seal depends on it "
                "and a new key cannot unseal what the old one sealed. Keep aws.vaultSeal.alias.",
                None,
            )
        for alias in matches:
            moved = _region(alias)
            if isinstance(moved, str) and moved != region:
                report(
                    f"the live KMS key {name} is in {region}, but aws.region now puts it in {moved}: KMS keys "
                    "cannot move region, and a new key cannot unseal what the old one sealed (migrate the seal "
                    f"first, `vault operator unseal -migrate`). Keep aws.region: {region}.",
                    alias.urn,
                )


protected_identities = StackValidationPolicy(
    name="protected-identities-stay",
    description="The live protected buckets and the Vault seal's KMS key keep their names and regions: an edit "
    "that would replace them is stopped before anything runs.",
    enforcement_level=MANDATORY,
    validate=_validate,
    config_schema=IDENTITY_SCHEMA,
    remediation_steps="Revert the edit (aws.region, aws.buckets[].name, aws.vaultSeal.alias). A move that is "
    "really meant is a migration: create the new resource beside the old one, move the data, then regenerate "
    "policies/config.json (`python -m offline.policy_config --write`) in the change that drops the old one.",
)

POLICIES = [protected_identities]
