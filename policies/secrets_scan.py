"""Recognise secret material in text without knowing the secret: PEM private keys, credentials in
kubeconfigs, literal `password=`/`token:` assignments and `--password`/`--token` flags. Shell expansions
(`$VAR`, `$(cat)`), paths and `{{secret:NAME}}` placeholders are not secrets and never match."""

import re
from collections.abc import Iterable

_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_KUBECONFIG_CREDENTIAL = re.compile(r"(?m)^\s*(?:client-key-data|token)\s*:\s*[A-Za-z0-9+/=._-]{16,}\s*$")
# A literal value: starts like a word (not `$`, `/`, `{`, a quote), at least 8 characters, no shell syntax.
_LITERAL = r"[A-Za-z0-9+][^\s\"'$<>{}()\[\]`;|&]{7,}"
# Where an assignment can start: one of these names (the pattern is built from them, so the two cannot drift).
# For ASCII text a case-insensitive match is a match of the lowered text, so finding the names with `str.find`
# and matching the pattern only there gives the pattern's own first match (a match inside a name is preceded by a
# name character, which the lookbehind refuses); the regex's case-insensitive search over every position of every
# step's script was most of a policy check's time.
_ASSIGNMENT_NAMES = ("password", "passwd", "secret", "token", "apikey", "api_key", "api-key", "accesskey",
                     "access_key", "access-key", "privatekey", "private_key", "private-key")
_ASSIGNMENT = re.compile(
    r"(?i)(?<![A-Za-z0-9_.-])(" + "|".join(map(re.escape, _ASSIGNMENT_NAMES)) + ")"
    r"[\"']?\s*[=:]\s*[\"']?" + _LITERAL
)
_FLAG = re.compile(r"(?i)--(password|token|certificate-key|secret|client-secret)[= ]+[\"']?" + _LITERAL)

_PLACEHOLDER = re.compile(r"\{\{secret:[A-Za-z0-9_]+\}\}")  # components/remote_file.py fills these on stdin
MIN_KNOWN_SECRET_LENGTH = 6  # shorter values would match by coincidence


def secret_shapes(text: str) -> list[str]:
    """What kinds of secret material `text` contains (descriptions only, never the material)."""
    text = _PLACEHOLDER.sub("", text)
    found = []
    if _PRIVATE_KEY.search(text):
        found.append("a PEM private key")
    if _KUBECONFIG_CREDENTIAL.search(text):
        found.append("kubeconfig credentials")
    match = _first_assignment(text)
    if match:
        found.append(f"a literal {match.group(1).lower()} assignment")
    match = _FLAG.search(text)
    if match:
        found.append(f"a literal --{match.group(1).lower()} argument")
    return found


def _first_assignment(text: str) -> re.Match[str] | None:
    """`_ASSIGNMENT.search(text)`, trying the pattern only where one of its names starts."""
    if not text.isascii():
        return _ASSIGNMENT.search(text)  # Unicode case folding (e.g. the Kelvin sign for k): the regex decides
    lowered = text.lower()
    starts: set[int] = set()
    for name in _ASSIGNMENT_NAMES:
        at = lowered.find(name)
        while at >= 0:
            starts.add(at)
            at = lowered.find(name, at + 1)
    for start in sorted(starts):
        match = _ASSIGNMENT.match(text, start)
        if match:
            return match
    return None


def contains_known_secret(text: str, values: Iterable[str]) -> bool:
    return any(len(v) >= MIN_KNOWN_SECRET_LENGTH and v in text for v in values)
