"""The plan: what `pulumi up` would create on an empty stack, as JSON and as a human summary."""

from collections import Counter
from typing import TYPE_CHECKING, Any

from offline.evaluate import Evaluation
from offline.layers import layer_of, node_of
from offline.secret_digest import secret_digests

if TYPE_CHECKING:
    from offline.adoption import AfterImport


def plan_document(ev: Evaluation) -> dict[str, Any]:
    by_urn = ev.by_urn()
    ips = {str(n.ip): n.name for n in ev.spec.nodes}
    resources = []
    for r in ev.resources:
        resources.append(
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "custom": r.custom,
                "parent": r.parent,
                "layer": layer_of(r, by_urn),
                "node": node_of(r, by_urn, ips),
                "dependencies": list(r.dependencies),
                "propertyDependencies": {k: list(v) for k, v in r.property_dependencies.items()},
                "inputs": r.inputs,
                # Which secret inputs hold which value, as digests: two plans show what changed, never the values.
                "secretDigests": secret_digests(r.inputs, r.raw_inputs),
                "protect": r.protect,
                "retainOnDelete": r.retain_on_delete,
                "deleteBeforeReplace": r.delete_before_replace,
                "provider": r.provider,
                "additionalSecretOutputs": list(r.additional_secret_outputs),
                "deletedWith": r.deleted_with,
                "ignoreChanges": list(r.ignore_changes),
                "replaceOnChanges": list(r.replace_on_changes),
                "aliases": list(r.aliases),
            }
        )
    return {"project": "goldentooth", "stack": "goldentooth", "resources": resources}


def summary(ev: Evaluation) -> str:
    # From the resources, not from `plan_document`: its secret digests (scrypt, memory-hard on purpose) are a
    # quarter of a real-stack `goldentooth plan`, and the summary shows none of them.
    by_urn = ev.by_urn()
    ips = {str(n.ip): n.name for n in ev.spec.nodes}
    resources = ev.resources
    by_layer = Counter(layer_of(r, by_urn) for r in resources)
    by_type = Counter(r.type for r in resources)
    by_node = Counter(node for node in (node_of(r, by_urn, ips) for r in resources) if node)
    protected = sum(1 for r in resources if r.protect)
    lines = [
        f"goldentooth plan: {len(resources)} resources to create on an empty stack "
        f"({len(ev.spec.nodes)} nodes, {protected} protected, {len(ev.files)} rendered files)",
        "",
        "by layer:",
        *(f"  {layer:<16} {count:>6}" for layer, count in sorted(by_layer.items())),
        "",
        "by type:",
        *(f"  {type_:<48} {count:>6}" for type_, count in sorted(by_type.items())),
        "",
        "by node:",
    ]
    for node in ev.spec.nodes:
        lines.append(f"  {node.emoji or ' '} {node.name:<12} {node.model.value:<9} {node.ip!s:<12} {by_node.get(node.name, 0):>5}")
    return "\n".join(lines)


def after_import_summary(after: "AfterImport", source: str) -> str:
    """`goldentooth plan --imported FILE`: the creates left once FILE is imported, and what would go wrong."""
    lines = [
        f"goldentooth plan: {len(after.creates)} resources to create once {source} is imported "
        f"({len(after.imported)} imported resources are updated in place, never created)",
    ]
    if after.orphans:
        lines += ["imported but not in the program (the next `pulumi up` would delete them):",
                  *(f"  {u}" for u in after.orphans)]
    if after.wrong_providers:
        lines += ["imported under another provider than the program's:", *(f"  {u}" for u in after.wrong_providers)]
    by_type = Counter(r.type for r in after.creates if r.custom)
    lines += ["", "still created, by type:", *(f"  {t:<48} {c:>6}" for t, c in sorted(by_type.items()))]
    return "\n".join(lines)
