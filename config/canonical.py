"""The canonical spec: lists whose order means nothing, sorted, so reordering them in the stack file changes no
resource (issue 12: order never matters).

It runs after validation, so every message still names the index the user wrote. Sorted: `nodes` (by name),
every list of node names under `roles` and the NFS exports (by node, then path). Whatever is first in such a
list after sorting (the Consul server that bootstraps the ACLs, the primary Slurm controller, the ZFS node the
others replicate from) is so by a stable rule: the first name in alphabetical order.

`ORDERED` holds the lists whose order is meaningful, with why; they stay as written. `tests/test_order_
independence.py` walks every list of the real stack file, so a new list that matters shows up there.
"""

from typing import Any, TypeVar

from pydantic import BaseModel

from config.spec import ClusterSpec

# Dotted config paths (YAML spelling) kept in the order written, with why.
# None today: `kubeadm init` runs on `kubernetes.initNode` or the first control-plane node by name
# (ClusterSpec.kubeadm_init_node), so the control-plane list is a set like the others.
ORDERED: dict[str, str] = {}

Model = TypeVar("Model", bound=BaseModel)


def _sort_key(item: Any) -> str:
    return item.model_dump_json(by_alias=True) if isinstance(item, BaseModel) else str(item)


def _sorted_lists(model: Model, path: str) -> Model:
    update: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        sub = f"{path}.{info.alias or name}"
        if isinstance(value, BaseModel):
            update[name] = _sorted_lists(value, sub)
        elif isinstance(value, tuple) and sub not in ORDERED:
            update[name] = tuple(sorted(value, key=_sort_key))
    return model.model_copy(update=update)


def canonical(spec: ClusterSpec) -> ClusterSpec:
    """`spec` with its order-free lists sorted (a pure function: the same spec for any order written)."""
    return spec.model_copy(
        update={
            "nodes": tuple(sorted(spec.nodes, key=lambda n: n.name)),
            "roles": _sorted_lists(spec.roles, "roles"),
        }
    )
