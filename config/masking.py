"""No secret from config in any output, whatever form a message gives it.

A message may quote a value raw, as a Python repr or JSON string (escaped newlines), stripped of its
trailing newline, or base64-encoded; a multi-line secret (a PEM key) may show one line of it. Every such
form of every secret value is masked. A value in a *plain* field that is a secret's value, or looks like
a secret (a private key, a GitHub or AWS token), is masked the same way and is itself an error: a plain
value is stored and shown in clear, so it must not pass into a plan.
"""

import base64
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from config.errors import ConfigError, Violation
from config.secrets import SecretValues

MASK = "[secret]"
MIN_PART = 8  # a fragment shorter than this (a PEM header's dashes, a short line) is not masked on its own

# Values that are secrets whatever field they sit in. Each: (what it looks like, pattern).
SECRET_LOOKING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a private key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b")),
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
)


def representations(value: str) -> set[str]:
    """Every form of `value` a message could contain."""
    bases = {value, value.strip(), value.rstrip("\n"), value + "\n"}
    forms: set[str] = set()
    for base in bases:
        if not base:
            continue
        forms |= {base, repr(base)[1:-1], json.dumps(base)[1:-1], json.dumps(base, ensure_ascii=False)[1:-1]}
        raw = base.encode("utf-8", "surrogatepass")
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(raw).decode("ascii")
            forms |= {text, text.rstrip("=")}
    forms |= {line.strip() for line in value.splitlines() if len(line.strip()) >= MIN_PART}
    return {f for f in forms if f and (f == value or len(f) >= min(MIN_PART, len(value)))}


def _strings(value: object, path: str, node_prefix: Callable[[int], str]) -> Iterator[tuple[str, str]]:
    """(path, text) of every string value and mapping key under `value`."""
    stack: list[tuple[str, object]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, Mapping):
            for key, sub in item.items():
                top = str(key) if ":" in str(key) or isinstance(sub, Mapping | list) else f"goldentooth:{key}"
                sub_path = f"{where}.{key}" if where else top
                yield sub_path, str(key)
                stack.append((sub_path, sub))
        elif isinstance(item, list | tuple):
            for i, sub in enumerate(item):
                stack.append((node_prefix(i) if where == "nodes" else f"{where}[{i}]", sub))


def _secret_looking(texts: list[str]) -> Iterator[tuple[str, str, str]]:
    """(text, what it looks like, the matched part) for plain texts that hold a secret-looking value."""
    joined = "\0".join(texts)  # one search of everything first: almost always there is nothing to find
    patterns = [(what, p) for what, p in SECRET_LOOKING if p.search(joined)]
    for text in texts if patterns else ():
        for what, pattern in patterns:
            match = pattern.search(text)
            if match:
                yield text, what, match.group(0)
                break


@dataclass(frozen=True)
class Masker:
    forms: tuple[str, ...]  # longest first, so a value's longer form is masked before a fragment of it

    @classmethod
    def of(cls, secrets: SecretValues, plain: Mapping[str, Any]) -> "Masker":
        return cls.over(secrets, [t for _, t in _strings(plain, "", lambda i: f"nodes[{i}]")])

    @classmethod
    def over(cls, secrets: SecretValues, texts: list[str]) -> "Masker":
        """Masks the secrets and every secret-looking value among the plain `texts`."""
        values = [v.get_secret_value() for v in secrets.values.values()]
        values += [text for text, _, _ in _secret_looking(texts)]
        forms = set().union(*(representations(v) for v in values if v)) if values else set()
        return cls(tuple(sorted(forms, key=len, reverse=True)))

    def text(self, text: str) -> str:
        for form in self.forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def error(self, violations: list[Violation]) -> ConfigError:
        return ConfigError([Violation(self.text(v.path), self.text(v.message)) for v in violations])


_HOW = "secrets are set with pulumi config set --secret"


def scan(plain: Mapping[str, Any], secrets: SecretValues,
         node_prefix: Callable[[int], str]) -> tuple[Masker, list[Violation]]:
    """The masker for this config, and the plain values that are, or contain, a secret: they would be
    stored and shown in clear. One walk of the plain config serves both."""
    found = list(_strings(plain, "", node_prefix))
    texts = [text for _, text in found]
    masker = Masker.over(secrets, texts)
    joined = "\0".join(texts)  # one search per form instead of one per value
    named = {key: representations(v.get_secret_value()) for key, v in secrets.values.items()
             if len(v.get_secret_value().strip()) >= MIN_PART}
    problems: list[Violation] = []
    for key, forms in sorted(named.items()):
        present = [f for f in forms if f in joined]
        if not present:
            continue
        for path, text in found:
            if any(f in text for f in present):
                problems.append(Violation(path, f"holds the value of the secret goldentooth:{key}, which a plain "
                                                f"setting would store and show in clear: remove it; {_HOW}"))
    flagged = {v.path for v in problems}
    looks = {text: what for text, what, _ in _secret_looking(texts)}
    problems += [
        Violation(path, f"looks like {looks[text]}, which a plain setting would store and show in clear: "
                        f"remove it; {_HOW}")
        for path, text in found if text in looks and path not in flagged
    ]
    return masker, problems
