"""The program's folders import only in the allowed directions (tests/layering.py), and the check itself fails
on a wrong import and on a cycle."""

from pathlib import Path

from cluster.registry import POLICY_DIR, PROGRAM_DIRS, layer_names
from tests.layering import allowed, violations

ROOT = Path(__file__).resolve().parent.parent
RULES = allowed(layer_names(), PROGRAM_DIRS, POLICY_DIR)


def test_the_program_imports_only_in_the_allowed_directions_and_has_no_import_cycle() -> None:
    problems = violations(ROOT, RULES)
    assert problems == [], "\n".join(problems)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_config_module_importing_a_layer_is_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"config/__init__.py": "", "config/spec.py": "from k8s.names import service_host\n",
                            "k8s/__init__.py": "", "k8s/names.py": "X = 1\n"})
    [problem] = violations(root, allowed(("k8s",), PROGRAM_DIRS, POLICY_DIR))
    assert problem.startswith("config/spec.py:1: config/ may not import k8s.names")


def test_a_layer_importing_another_layer_even_inside_a_function_is_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"edge/__init__.py": "", "edge/c.py": "def f():\n    from k8s import cluster\n",
                            "k8s/__init__.py": "", "k8s/cluster.py": ""})
    problems = violations(root, allowed(("edge", "k8s"), PROGRAM_DIRS, POLICY_DIR))
    assert any(p.startswith("edge/c.py:2: edge/ may not import k8s") for p in problems), problems


def test_the_policy_pack_importing_the_program_is_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"policies/__init__.py": "", "policies/r.py": "import config.spec\n",
                            "config/__init__.py": "", "config/spec.py": ""})
    assert violations(root, allowed((), PROGRAM_DIRS, POLICY_DIR)) == [
        "policies/r.py:1: policies/ may not import config.spec (policies/ may import: policies)"
    ]


def test_an_import_cycle_is_reported_but_a_type_checking_import_is_not_one(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "offline/__init__.py": "",
        "offline/a.py": "from offline.b import x\n",
        "offline/b.py": "def x():\n    from offline.a import y\n",
        "offline/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from offline.d import z\n",
        "offline/d.py": "from offline.c import w\n",
    })
    assert violations(root, allowed((), PROGRAM_DIRS, POLICY_DIR)) == ["import cycle: offline.a -> offline.b"]
