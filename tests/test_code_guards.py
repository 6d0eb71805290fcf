"""Structural guards over the source tree: conventions that keep every layer safe by construction."""

import ast
from pathlib import Path

from cluster.registry import PROGRAM_DIRS, layer_names

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = (*PROGRAM_DIRS, *layer_names())


def _sources() -> list[Path]:
    return sorted(p for d in SOURCE_DIRS if (ROOT / d).is_dir() for p in (ROOT / d).rglob("*.py"))


def _component_classes(tree: ast.Module) -> list[ast.ClassDef]:
    def is_component(base: ast.expr) -> bool:
        return (isinstance(base, ast.Attribute) and base.attr == "ComponentResource") or (
            isinstance(base, ast.Name) and base.id == "ComponentResource"
        )

    return [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and any(is_component(b) for b in n.bases)]


def test_every_component_calls_register_outputs_once_as_its_last_statement() -> None:
    problems = []
    found = 0
    for path in _sources():
        for cls in _component_classes(ast.parse(path.read_text(encoding="utf-8"))):
            found += 1
            init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
            if init is None:
                problems.append(f"{path.relative_to(ROOT)}:{cls.name} has no __init__")
                continue
            # A component registered in two phases (the node layer's: up to the reboot check, then `complete()`
            # once the rollout knows what the reboot waits for) registers its outputs last in `complete`.
            finish = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "complete"), None)
            if finish is not None:
                if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                       and n.func.attr == "register_outputs" for n in ast.walk(init)):
                    problems.append(f"{path.relative_to(ROOT)}:{cls.name} registers its outputs in __init__ and complete")
                init = finish
            calls = [n for n in ast.walk(init) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                     and n.func.attr == "register_outputs"]
            last = init.body[-1]
            last_is_register = (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
                                and isinstance(last.value.func, ast.Attribute) and last.value.func.attr == "register_outputs")
            if len(calls) != 1 or not last_is_register:
                problems.append(f"{path.relative_to(ROOT)}:{cls.name} must end __init__ with one register_outputs call")
    assert found >= 2, "the guard found no components: is SOURCE_DIRS right?"
    assert not problems, "\n".join(problems)


def test_only_the_step_runner_constructs_remote_commands() -> None:
    """StepRunner injects connection, parent, add_previous_output_in_env=False and secret handling;
    a remote.Command built anywhere else could forget them. Likewise a remote.CopyToRemote (StepRunner.upload:
    connection, parent, deleted_with)."""
    offenders = []
    for path in _sources():
        if path == ROOT / "components" / "remote_step.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Attribute) and f.attr in ("Command", "CopyToRemote") and isinstance(f.value, ast.Name) and f.value.id == "remote":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"remote.Command or CopyToRemote built outside components/remote_step.py: {offenders}"


def test_package_init_files_only_document_their_folder() -> None:
    """__init__ files stay import-free, so importing one module never drags a whole layer (or a slow SDK) in."""
    bad = []
    for path in _sources():
        if path.name != "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        body = tree.body
        if not body or not (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)):
            bad.append(f"{path.relative_to(ROOT)} has no docstring")
        elif len(body) > 1:
            bad.append(f"{path.relative_to(ROOT)} has code besides its docstring")
    assert not bad, bad


def test_every_component_takes_name_args_and_opts_as_pulumi_components_do() -> None:
    """`Component(name, args, opts)`: the caller names the resource, as with every Pulumi resource."""
    bad = []
    for path in _sources():
        for cls in _component_classes(ast.parse(path.read_text(encoding="utf-8"))):
            init = next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
            if init is None:
                continue
            params = [a.arg for a in init.args.args]
            if params[:2] != ["self", "name"] or params[-1] != "opts" or len(params) != 4:
                bad.append(f"{path.relative_to(ROOT)}:{cls.name}({', '.join(params[1:])})")
    assert not bad, bad
