"""The session's last line: how many tests were skipped on purpose and why, and any skipped for a missing tool.

Printed at unconfigure, after pytest's own closing line (`N passed, M skipped in Xs`, which CI reads), so it is
the last line of `make test`. Reasons are grouped as the tests give them; tests/tools.py marks missing tools.
"""

from collections import Counter

import pytest

from tests.tools import MISSING_TOOL


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """`Skipped: the SSH lab needs root` -> `the SSH lab needs root` (longrepr is (path, line, message))."""
    longrepr = report.longrepr
    message = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return message.removeprefix("Skipped: ").strip()


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{reason}: {count}" for reason, count in sorted(counter.items(), key=lambda rc: (-rc[1], rc[0])))


def summary_line(reasons: list[str]) -> str:
    on_purpose = Counter(r for r in reasons if not r.startswith(MISSING_TOOL))
    missing = Counter(r.removeprefix(MISSING_TOOL) for r in reasons if r.startswith(MISSING_TOOL))
    line = f"skipped on purpose: {sum(on_purpose.values())}"
    if on_purpose:
        line += f" ({_counts(on_purpose)})"
    if missing:
        line += f"; skipped for a missing tool: {sum(missing.values())} ({_counts(missing)}); `make deps` installs them"
    return line


def pytest_unconfigure(config: pytest.Config) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not hasattr(reporter, "stats"):
        return
    skipped = [r for r in reporter.stats.get("skipped", []) if isinstance(r, pytest.TestReport | pytest.CollectReport)]
    # A skipped test reports once (setup or call); xfails are not skips and pytest files them apart.
    reporter.write_line(summary_line([_reason(r) for r in skipped]))
