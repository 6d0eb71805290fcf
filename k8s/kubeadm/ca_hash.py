"""The `caCertHashes` pin joins use: `sha256:` + SHA-256 of the CA's DER SubjectPublicKeyInfo.

A PEM `PUBLIC KEY` block (what pulumi-tls returns as `public_key_pem`) is exactly the base64 of that DER
structure (RFC 7468 §13), so no X.509 library is needed: decode the block and hash it.
"""

import base64
import binascii
import hashlib
import re

_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----\s*(?P<body>[A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----")


def ca_cert_hash(public_key_pem: str) -> str:
    match = _BLOCK.search(public_key_pem)
    if match is None:
        raise ValueError("not a PEM public key: expected a '-----BEGIN PUBLIC KEY-----' block")
    try:
        der = base64.b64decode("".join(match.group("body").split()), validate=True)
    except binascii.Error as exc:
        raise ValueError("the PEM public key block is not valid base64") from exc
    return "sha256:" + hashlib.sha256(der).hexdigest()
