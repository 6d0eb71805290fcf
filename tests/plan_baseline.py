"""The committed baseline of the real stack's plan: one digest per resource, to prove a refactor changes nothing.

`tests/fixtures/plan_baseline.json` holds, per resource of `goldentooth plan --json` on `Pulumi.goldentooth.yaml`,
its URN, type, name, parent and a digest of everything the engine receives for it (inputs, options, dependency
edges, provider). Left out: the `layer` column (presentation), `secretDigests` (a view of the inputs) and
`aliases` (former identities, which is what the comparison itself checks).

A resource whose URN changes (a renamed type or a new parent) must carry `aliases`; `tests/test_plan_baseline.py`
maps every URN back through those aliases before it compares digests. Regenerate the file only when a plan
change is intended, and say which in the commit:

    .venv/bin/python -m tests.plan_baseline --write
"""

import hashlib
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tests" / "fixtures" / "plan_baseline.json"
# `secretDigests` is a view of the inputs (their secret leaves, hashed): the inputs themselves are compared.
_PRESENTATION = ("layer", "aliases", "secretDigests")


def rename_urns(value: Any, rename: Callable[[str], str | None]) -> Any:
    """Every string that is a URN (or a provider reference `urn::id`) rewritten through `rename`."""
    if isinstance(value, dict):
        return {k: rename_urns(v, rename) for k, v in value.items()}
    if isinstance(value, list):
        return [rename_urns(v, rename) for v in value]
    if isinstance(value, str) and value.startswith("urn:pulumi:"):
        renamed = rename(value)
        if renamed is not None:
            return renamed
        head, sep, tail = value.rpartition("::")
        renamed = rename(head) if sep else None
        if renamed is not None:
            return f"{renamed}::{tail}"
    return value


def digest(entry: Mapping[str, Any], rename: Callable[[str], str | None] = lambda _: None) -> str:
    kept = {k: v for k, v in entry.items() if k not in _PRESENTATION}
    canonical = json.dumps(rename_urns(kept, rename), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def baseline_of(document: Mapping[str, Any]) -> list[dict[str, str]]:
    return sorted(
        (
            {"urn": r["urn"], "type": r["type"], "name": r["name"], "parent": r["parent"], "digest": digest(r)}
            for r in document["resources"]
        ),
        key=lambda e: e["urn"],
    )


def current_document() -> dict[str, Any]:
    from offline.plan import plan_document
    from tests.shared_evaluations import shared_evaluate_file

    return plan_document(shared_evaluate_file(ROOT / "Pulumi.goldentooth.yaml"))


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.plan_baseline")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true", help="evaluate the real stack and write the baseline")
    group.add_argument("--from", dest="source", type=Path, help="write the baseline from a saved plan JSON")
    args = parser.parse_args(argv[1:])
    document = json.loads(args.source.read_text(encoding="utf-8")) if args.source else current_document()
    entries = baseline_of(document)
    BASELINE.write_text(json.dumps({"resources": entries}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(entries)} resources to {BASELINE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
