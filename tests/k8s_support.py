"""Helpers for the Kubernetes-layer tests: find recorded resources, follow dependency edges, validate manifests
against the pinned Kubernetes schemas and the vendored upstream CRD schemas (tests/fixtures/upstream)."""

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml
from referencing import Registry, Resource

from offline.evaluate import Evaluation

UPSTREAM = Path(__file__).resolve().parent / "fixtures" / "upstream"


def k8s_documents(ev: Evaluation) -> dict[str, Any]:
    """Recorded manifests (not chart values), by file name."""
    return {
        f.path: yaml.safe_load(f.content)
        for f in ev.files
        if f.node == "cluster" and f.path.startswith("k8s/") and not f.path.endswith("-values.yaml")
    }


def values_documents(ev: Evaluation) -> dict[str, Any]:
    return {
        f.path.removeprefix("k8s/").removesuffix("-values.yaml"): yaml.safe_load(f.content)
        for f in ev.files
        if f.node == "cluster" and f.path.endswith("-values.yaml")
    }


@cache
def crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    group = api_version.split("/")[0]
    data = json.loads(gzip.decompress((UPSTREAM / "crds" / f"{group}-{kind}.json.gz").read_bytes()))
    schema: dict[str, Any] = data["versions"][api_version]
    return schema


def validate_custom_resource(document: dict[str, Any]) -> None:
    """Validate a CR against its CRD's openAPIV3Schema (structural schemas are JSON Schema subsets).

    A CRD schema's top level allows any metadata; unknown fields are refused where the CRD does not say
    `x-kubernetes-preserve-unknown-fields`, as the API server prunes/rejects them."""
    schema = strict_schema(crd_schema(document["apiVersion"], document["kind"]))
    jsonschema.Draft202012Validator(schema).validate(document)


def strict_schema(schema: Any) -> Any:
    """Copy of a structural schema where objects with declared properties refuse other keys."""
    if isinstance(schema, list):
        return [strict_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict_schema(v) for k, v in schema.items()}
    if (
        out.get("type") == "object"
        and "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    if "metadata" in out.get("properties", {}) and out["properties"]["metadata"].get("type") == "object":
        out["properties"]["metadata"] = {"type": "object"}  # ObjectMeta is checked by the API server, not the CRD
    return out


@cache
def _definitions(version: str) -> tuple[Path, Any]:
    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{version}.0-local-strict"
    return root, json.loads((root / "_definitions.json").read_text())


def validate_fragment(value: Any, schema_file: str, version: str) -> None:
    """Validate a piece of a chart's values that the chart copies into a Kubernetes object as-is
    (e.g. `toleration-v1`, `envvar-v1`, `volume-v1`), with the pinned version's strict schemas."""
    root, definitions = _definitions(version)
    schema = json.loads((root / f"{schema_file}.json").read_text())
    registry: Registry = Resource.from_contents(definitions) @ Registry()
    registry = Resource.from_contents(schema) @ registry
    jsonschema.Draft202012Validator(schema, registry=registry).validate(value)


def chart_defaults(name: str) -> Any:
    return yaml.safe_load((UPSTREAM / "values" / f"{name}.yaml").read_text())


def unknown_value_keys(ours: Any, defaults: Any, path: str = "") -> list[str]:
    """Key paths we set that the chart's own values.yaml does not declare. A default that is an empty map,
    null or a scalar ends the check there: below it the chart takes free-form content."""
    if not isinstance(ours, dict) or not isinstance(defaults, dict) or not defaults:
        return []
    unknown = []
    for key, value in ours.items():
        here = f"{path}.{key}" if path else key
        if key not in defaults:
            unknown.append(here)
        else:
            unknown += unknown_value_keys(value, defaults[key], here)
    return unknown
