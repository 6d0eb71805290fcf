"""What only `goldentooth check` can tell a rule, handed over in the policy config under one reserved key.

The engine unwraps secrets before a policy sees props, so under the CLI a rule cannot tell a secret stdin
from a plain one. The offline evaluation can: it knows which inputs were secret and their revealed values.
The Pulumi CLI never sets this key, so rules fall back to what the props alone show.
"""

from collections.abc import Mapping
from typing import Any

KEY = "goldentoothOffline"


def secret_values(config: Mapping[str, Any]) -> frozenset[str]:
    """Revealed secret values of the evaluation (never printed; only compared against)."""
    context = config.get(KEY) or {}
    return frozenset(context.get("secretValues", ()))


def secret_inputs(config: Mapping[str, Any], urn: str) -> frozenset[str]:
    """Top-level input names of resource `urn` that were Pulumi secrets (e.g. `stdin`)."""
    context = config.get(KEY) or {}
    return frozenset((context.get("secretInputs") or {}).get(urn, ()))


def build(values: frozenset[str], inputs: Mapping[str, frozenset[str]]) -> dict[str, Any]:
    return {KEY: {"secretValues": sorted(values), "secretInputs": {u: sorted(p) for u, p in inputs.items()}}}
