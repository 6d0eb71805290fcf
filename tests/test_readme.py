"""The README stays true: its secrets table is the one generated from SECRET_DEFS, and every target and
command it names exists."""

import re

from config.secrets import SECRET_DEFS
from offline.cli import build_parser
from offline.secrets_table import README, render_table, replace_table
from tests.conftest import ROOT


def test_the_readme_lists_every_secret_with_the_command_that_sets_it() -> None:
    text = README.read_text(encoding="utf-8")
    for d in SECRET_DEFS:
        assert f"| `{d.key}` |" in text, f"README.md does not list the secret {d.key}"
        assert d.how.replace("|", "\\|") in text, f"README.md does not say how to set {d.key}"


def test_the_readme_secrets_table_is_the_generated_one() -> None:
    """Regenerate with `.venv/bin/python -m offline.secrets_table --write` after changing a SecretDef."""
    text = README.read_text(encoding="utf-8")
    assert replace_table(text, render_table()) == text


def test_every_make_target_the_readme_names_exists() -> None:
    targets = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.M))
    named = set(re.findall(r"`make ([a-z-]+)", README.read_text(encoding="utf-8")))
    assert named, "the README names no make target"
    assert named <= targets, sorted(named - targets)


def test_every_goldentooth_subcommand_is_documented() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    text = README.read_text(encoding="utf-8")
    for command in sub.choices or ():
        assert f"goldentooth {command}" in text, f"README.md does not show `goldentooth {command}`"


def test_the_readmes_layout_table_names_exactly_the_folders_that_exist() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    cells = re.findall(r"^\| ([^|]+) \|", table, flags=re.M)
    named = {m for cell in cells for m in re.findall(r"`(\.?[\w-]+)/`", cell)}
    generated = {"out", "build", "__pycache__"}
    folders = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")
               and not p.name.endswith(".egg-info") and p.name not in generated}
    plain = {n for n in named if not n.startswith(".")}
    assert plain == folders, f"README layout names {sorted(plain - folders)} that do not exist; misses {sorted(folders - plain)}"
    assert {n for n in named if n.startswith(".")} <= {p.name for p in ROOT.iterdir() if p.is_dir()}
