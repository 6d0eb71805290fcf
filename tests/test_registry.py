"""The registry of layers is the one list: every layer folder is in it, packaged, and built in its order."""

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from cluster.registry import LAYERS, POLICY_DIR, PROGRAM_DIRS, collect_contributions, layer_names
from config.spec import ClusterSpec
from offline.evaluate import Evaluation
from offline.graph import LAYER_ORDER
from offline.graph_html import LAYER_COLOURS
from offline.layers import component_layer

ROOT = Path(__file__).resolve().parent.parent
NOT_PROGRAM = {"tests", "benchmarks"}


def _top_level_packages() -> set[str]:
    return {p.parent.name for p in ROOT.glob("*/__init__.py")}


def test_every_top_level_package_is_a_registered_layer_or_a_known_program_folder() -> None:
    unknown = _top_level_packages() - set(layer_names()) - set(PROGRAM_DIRS) - {POLICY_DIR} - NOT_PROGRAM
    assert unknown == set(), f"folders that are neither a layer in cluster/registry.py nor a program folder: {unknown}"
    missing = set(layer_names()) - _top_level_packages()
    assert missing == set(), f"registered layers without a package folder: {missing}"


def test_packaging_finds_every_layer_and_program_folder_and_leaves_tests_out() -> None:
    """setuptools' `packages.find` semantics (a package is a folder with __init__.py, kept if it matches an
    include pattern and no exclude pattern), read from pyproject.toml; setuptools itself is not in every venv."""
    find = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]["find"]
    include, exclude = find.get("include", ["*"]), find.get("exclude", [])
    found = {p for p in _top_level_packages()
             if any(fnmatch(p, i) for i in include) and not any(fnmatch(p, e) for e in exclude)}
    assert {*layer_names(), *PROGRAM_DIRS, POLICY_DIR} <= found
    assert not found & NOT_PROGRAM


def test_layer_names_are_unique_and_the_graph_orders_and_colours_them_from_the_registry() -> None:
    names = layer_names()
    assert len(set(names)) == len(names)
    assert LAYER_ORDER[1:] == names
    assert {layer.name: layer.colour for layer in LAYERS}.items() <= LAYER_COLOURS.items()
    assert len({layer.colour for layer in LAYERS}) == len(LAYERS), "two layers share a colour"


def test_every_component_type_of_the_real_plan_names_a_registered_layer(real_evaluation: Evaluation) -> None:
    layers = {component_layer(r.type) for r in real_evaluation.resources if not r.custom}
    assert layers - {None} <= set(names := layer_names()), f"component types outside the registry: {layers - set(names)}"


def test_contributions_are_a_pure_function_of_the_spec(real_evaluation: Evaluation) -> None:
    spec: ClusterSpec = real_evaluation.spec
    assert collect_contributions(spec) == collect_contributions(spec.model_copy(deep=True))
    merged = collect_contributions(spec)
    assert merged == sum((layer.contributions(spec) for layer in LAYERS[1:]), LAYERS[0].contributions(spec))
