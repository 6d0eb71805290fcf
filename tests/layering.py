"""The allowed import directions between the program's folders, and a checker that reads them from the source.

    config  <-  components  <-  nodes  <-  every other layer  <-  cluster  <-  offline
                                                                    policies (imports nothing of the program)

A layer imports `config/`, `components/` and `nodes/` (the node handles it runs steps through), never another
layer: what it needs from one arrives in its Args, from `cluster/`. No import cycles between modules, counting
imports inside functions (only `if TYPE_CHECKING:` imports are left out of the cycle check: they never run).
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NODES = "nodes"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted (for `from a.b import c`, `a.b`)
    line: int
    type_checking: bool
    submodule: bool = False  # `c` of `from a.b import c`, in case it is a module (for the cycle check)


def allowed(layers: tuple[str, ...], program_dirs: tuple[str, ...], policy_dir: str) -> dict[str, set[str]]:
    """Top-level folder -> the top-level folders it may import."""
    base = {"config": {"config"}, "components": {"components", "config"}}
    rules = dict(base)
    for layer in layers:
        rules[layer] = {layer, "config", "components", *([NODES] if layer != NODES else [])}
    rules["cluster"] = {"cluster", "config", "components", *layers}
    rules["offline"] = {"offline", *program_dirs, *layers, policy_dir}
    rules[policy_dir] = {policy_dir}
    return rules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(root: Path, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = module_name(root, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST, guarded: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.body:
                    yield from visit_one(sub, True)
                for sub in child.orelse:
                    yield from visit_one(sub, guarded)
                continue
            yield from visit_one(child, guarded)

    def visit_one(node: ast.AST, guarded: bool) -> Iterator[Import]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno, guarded)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            yield Import(module, target, node.lineno, guarded)
            # `from pkg import mod` imports the submodule pkg.mod when there is one.
            for alias in node.names:
                yield Import(module, f"{target}.{alias.name}", node.lineno, guarded, submodule=True)
        else:
            yield from visit(node, guarded)

    yield from visit(tree, False)


def violations(root: Path, rules: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a direction in `rules`, and every import cycle between modules under `root`."""
    sources = sorted(p for top in rules if (root / top).is_dir() for p in (root / top).rglob("*.py"))
    modules = {module_name(root, p): p for p in sources}
    problems: list[str] = []
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for path in sources:
        for imp in imports_of(root, path):
            top, target_top = imp.module.split(".")[0], imp.target.split(".")[0]
            if target_top in rules and target_top not in rules[top] and not imp.submodule:
                problems.append(f"{path.relative_to(root)}:{imp.line}: {top}/ may not import {imp.target} "
                                f"({top}/ may import: {', '.join(sorted(rules[top]))})")
            if imp.target in modules and imp.target != imp.module and not imp.type_checking:
                edges[imp.module].add(imp.target)
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in _cycles(edges)]
    return sorted(set(problems))


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found
