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
