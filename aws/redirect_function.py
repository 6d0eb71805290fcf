"""The bare-domain redirect: `redirect.js` with its target filled in as a JSON string literal."""

import json
from pathlib import Path

TEMPLATE = Path(__file__).with_name("redirect.js")
_SLOT = '"__REDIRECT_LOCATION__"'
RUNTIME = "cloudfront-js-2.0"


def redirect_code(location: str) -> str:
    """JSON encoding makes any URL a valid JavaScript string literal: nothing pasted can break out of it."""
    source = TEMPLATE.read_text(encoding="utf-8")
    if source.count(_SLOT) != 1:
        raise ValueError(f"{TEMPLATE} must hold the slot {_SLOT} exactly once")
    return source.replace(_SLOT, json.dumps(location))
