"""Reading the CA's identity (pki/ca_identity.sh's stdout) back into the program's outputs.

Offline, a command's stdout is a marked placeholder; it passes through unchanged so the plan says what it is.
Anything else that is not a well-formed identity is an error: a consumer must never pin a garbled fingerprint.
"""

import re

_FINGERPRINT = re.compile(r"^fingerprint ([0-9a-f]{64})$", re.MULTILINE)
_HOST_CA = re.compile(r"^ssh-host-ca (\S+ \S+)$", re.MULTILINE)
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----\n.*?\n-----END CERTIFICATE-----\n", re.DOTALL)


def _placeholder(text: str) -> bool:
    return text.startswith("[placeholder ")


def _one(pattern: re.Pattern[str], text: str, what: str) -> str:
    if _placeholder(text):
        return text
    match = pattern.search(text)
    if match is None:
        raise ValueError(f"the CA identity has no {what}")
    return match.group(1) if pattern.groups else match.group(0)


def root_fingerprint(text: str) -> str:
    return _one(_FINGERPRINT, text, "root fingerprint")


def root_pem(text: str) -> str:
    return _one(_PEM, text, "root certificate")


def known_hosts_line(text: str) -> str:
    """For the operator's ~/.ssh/known_hosts: every cluster host is trusted by its CA-signed host certificate."""
    if _placeholder(text):
        return text
    return f"@cert-authority * {_one(_HOST_CA, text, 'SSH host CA key')} goldentooth-host-ca"
