"""Where a module reaches `offline.evaluate.evaluate` or `evaluate_file` itself instead of the shared evaluations
(tests/shared_evaluations.py), found in its syntax tree: through `from offline.evaluate import evaluate [as x]`,
`import offline.evaluate [as m]` or `from offline import evaluate [as m]`, called or passed on. A string that names
them (a probe run in another process) is no use of them here."""

import ast
from dataclasses import dataclass
from pathlib import Path

MODULE = "offline.evaluate"
FUNCTIONS = frozenset({"evaluate", "evaluate_file"})


@dataclass(frozen=True, order=True)
class DirectUse:
    path: str  # relative to the scanned tree's parent, with "/"
    function: str  # the enclosing definitions, dotted ("outer.inner"), "<module>" at the top level
    line: int
    name: str  # evaluate or evaluate_file (or "*" for a star import, which may bind either)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self.functions: dict[str, str] = {}  # a local name -> the function it is bound to
        self.modules: set[str] = set()  # dotted names bound to the module
        self.stars: list[int] = []
        for node in ast.walk(tree):  # bindings anywhere in the module: imports inside a function count too
            self._bind(node)
        self.scope: list[str] = []
        self.found: list[DirectUse] = []

    def _bind(self, node: ast.AST) -> None:
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                if node.module == MODULE and alias.name in FUNCTIONS:
                    self.functions[alias.asname or alias.name] = alias.name
                elif node.module == MODULE and alias.name == "*":
                    self.stars.append(node.lineno)
                elif node.module == MODULE.rpartition(".")[0] and alias.name == MODULE.rpartition(".")[2]:
                    self.modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == MODULE:
                    self.modules.add(alias.asname or MODULE)  # `import offline.evaluate` binds the dotted path

    def _use(self, node: ast.AST, name: str) -> None:
        self.found.append(DirectUse(self.path, ".".join(self.scope) or "<module>", getattr(node, "lineno", 0), name))

    def visit(self, node: ast.AST) -> None:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            super().visit(node)
            return
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and node.id in self.functions:
            self._use(node, self.functions[node.id])

    def visit_Attribute(self, node: ast.Attribute) -> None:
        base = _dotted(node.value)
        if isinstance(node.ctx, ast.Load) and node.attr in FUNCTIONS and base in self.modules:
            self._use(node, node.attr)
            return
        self.generic_visit(node)


def direct_uses(source: str, path: str) -> list[DirectUse]:
    tree = ast.parse(source, filename=path)
    finder = _Finder(path, tree)
    finder.found += [DirectUse(path, "<module>", line, "*") for line in finder.stars]
    finder.visit(tree)
    return sorted(finder.found)


def scan(tree: Path) -> list[DirectUse]:
    """Every direct use in the Python files under `tree`, named relative to its parent (`tests/...`)."""
    found: list[DirectUse] = []
    for file in sorted(tree.rglob("*.py")):
        found += direct_uses(file.read_text(encoding="utf-8"), file.relative_to(tree.parent).as_posix())
    return found


def unexplained(uses: list[DirectUse], allowed: dict[tuple[str, str], str]) -> list[str]:
    return [f"{u.path}:{u.line} {u.function} uses offline.evaluate.{u.name} directly"
            for u in uses if not allowed.get((u.path, u.function), "").strip()]
