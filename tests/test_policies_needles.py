"""The policy pack's shortcuts give the regexes' own answers: a substring test before a regex (`Needle`), and the
assignment scan that tries its pattern only where a name starts (policies/secrets_scan.py)."""

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offline.evaluate import Evaluation
from policies import secrets_scan, stack_rules, stateful
from policies.common import Needle

NEEDLES: list[Needle] = [
    stateful.MARKER, *(needle for needle, _ in stateful.DURABLE_COMMANDS), stack_rules._INIT, stack_rules._JOIN,
    stack_rules._CP_FLAG, stack_rules._JOIN_CONFIG_KIND, stack_rules._BOOTSTRAP_EXPECT, stack_rules._QUORUM_MARKER,
]


def _same(a: re.Match[str] | None, b: re.Match[str] | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a.span() == b.span()
                                         and a.groups() == b.groups())


def _texts(ev: Evaluation) -> list[str]:
    return [v for r in ev.resources for k in ("create", "stdin") if isinstance(v := r.raw_inputs.get(k), str)]


def test_every_needle_answers_as_its_regex_on_every_script_of_the_real_stack(real_evaluation: Evaluation) -> None:
    texts = _texts(real_evaluation)
    assert len(texts) > 1000
    for needle in NEEDLES:
        for text in texts:
            assert _same(needle.search(text), needle.pattern.search(text)), (needle.literal, text[:200])
            assert needle.findall(text) == needle.pattern.findall(text)
    # and the shortcut is taken: most scripts lack most literals
    assert sum(needle.literal not in text for needle in NEEDLES for text in texts) > len(texts)


def test_a_needle_whose_literal_is_not_in_its_pattern_is_refused() -> None:
    with pytest.raises(ValueError, match="'zfs' is not in the pattern"):
        Needle("zfs", re.compile(r"\bzpool\s+create\b"))


def test_the_assignment_scan_answers_as_the_regex_on_every_script_of_the_real_stack(
    real_evaluation: Evaluation,
) -> None:
    for text in _texts(real_evaluation):
        assert _same(secrets_scan._first_assignment(text), secrets_scan._ASSIGNMENT.search(text))


NAMES = ["password", "PassWord", "passwd", "SECRET", "token", "api_key", "Api-Key", "apikey", "access_key",
         "ACCESSKEY", "private-key", "PrivateKey", "xtoken", "tok"]
# Punctuation the pattern cares about, and letters that fold case outside ASCII (Kelvin sign, long s).
PIECES = st.one_of(st.sampled_from(NAMES), st.text(alphabet="aK=:'\" -_.$/{}\n9Zs\u212a\u017f", max_size=12))


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=8))
def test_the_assignment_scan_answers_as_the_regex_on_generated_text(pieces: list[Any]) -> None:
    text = "".join(pieces)
    assert _same(secrets_scan._first_assignment(text), secrets_scan._ASSIGNMENT.search(text))


def test_a_literal_assignment_is_still_found_after_a_name_that_is_no_assignment() -> None:
    text = "echo token is read from stdin\nexport API_KEY=abcdefgh1234\n"
    assert secrets_scan.secret_shapes(text) == ["a literal api_key assignment"]


def test_a_name_spelt_with_a_letter_that_folds_case_outside_ascii_is_found() -> None:
    """The long s matches `s` case-insensitively but lowers to itself: such text goes to the regex itself."""
    text = "\u017fecret=abcdefgh1234"
    assert secrets_scan._ASSIGNMENT.search(text) is not None
    assert secrets_scan.secret_shapes(text) == ["a literal \u017fecret assignment"]


def test_the_assignment_names_are_exactly_the_documented_ones() -> None:
    """The pattern is built from the names: they are the alternation it was written with, no more and no fewer."""
    documented = re.compile(r"password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key")
    expanded = {"password", "passwd", "secret", "token",
                *(f"{word}{sep}key" for word in ("api", "access", "private") for sep in ("", "_", "-"))}
    assert set(secrets_scan._ASSIGNMENT_NAMES) == expanded
    assert all(documented.fullmatch(name) for name in secrets_scan._ASSIGNMENT_NAMES)
