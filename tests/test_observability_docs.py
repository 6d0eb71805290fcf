"""docs/observability.md lists every alert rule the real stack renders (and no other)."""

import re
from pathlib import Path

from observability.alert_rules import rule_groups
from tests.observability_support import merged, real_spec

DOC = Path(__file__).resolve().parent.parent / "docs" / "observability.md"


def test_the_alert_table_lists_every_rendered_rule() -> None:
    spec = real_spec()
    m = merged(spec)
    rendered = {r.alert for g in rule_groups(spec, m.alert_rules, m.quorum_checks) for r in g.rules}
    listed = set(re.findall(r"^\| [a-z-]+ \| `([A-Za-z]+)` \|", DOC.read_text(encoding="utf-8"), re.MULTILINE))
    assert listed == rendered
