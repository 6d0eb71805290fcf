"""How many whole-stack evaluations a test run makes, how many of them were of the same input, and their CPU time.

A pytest plugin: `pytest -p tests.evaluation_stats ...`. It wraps `offline.evaluate.evaluate` (which `evaluate_file` and the command line go through) before any test module
imports it, and prints one summary at the end of the session: evaluations, distinct inputs, CPU seconds, and the
inputs evaluated more than once with the tests that asked for them, and how often the shared evaluations
(tests/shared_evaluations.py) were handed out again instead. With `GOLDENTOOTH_EVAL_STATS=<file.json>` the
same figures are also written there. It measures; it changes no result.
"""

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import offline.evaluate as evaluate_module
from config.secrets import SecretValues
from tests.shared_evaluations import STATE, input_key


@dataclass
class _Call:
    key: str
    test: str
    cpu: float


@dataclass
class _Stats:
    calls: list[_Call] = field(default_factory=list)


STATS = _Stats()
_INSTALLED: list[bool] = []


def install() -> None:
    if _INSTALLED:
        return
    _INSTALLED.append(True)
    sdk_evaluate = evaluate_module.evaluate

    def counted(
        plain: Mapping[str, Any],
        secrets: SecretValues,
        *,
        preview: bool = False,
        provider_config: Mapping[str, Any] | None = None,
    ) -> evaluate_module.Evaluation:
        key = input_key(plain, secrets, preview, provider_config)
        start = time.process_time()
        try:
            return sdk_evaluate(plain, secrets, preview=preview, provider_config=provider_config)
        finally:
            test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0]
            STATS.calls.append(_Call(key, test, time.process_time() - start))

    evaluate_module.evaluate = counted


def summary() -> dict[str, Any]:
    by_key: dict[str, list[_Call]] = {}
    for call in STATS.calls:
        by_key.setdefault(call.key, []).append(call)
    repeated = {k: v for k, v in by_key.items() if len(v) > 1}
    return {
        "evaluations": len(STATS.calls),
        "distinct_inputs": len(by_key),
        "cpu_seconds": round(sum(c.cpu for c in STATS.calls), 1),
        "repeated_cpu_seconds": round(sum(c.cpu for v in repeated.values() for c in v[1:]), 1),
        "shared_hits": STATE.hits,
        "repeated": {k: [*sorted({c.test for c in v}), f"x{len(v)}"] for k, v in repeated.items()},
    }


def pytest_terminal_summary(terminalreporter: Any) -> None:
    figures = summary()
    terminalreporter.write_sep("-", "whole-stack evaluations")
    terminalreporter.write_line(
        f"{figures['evaluations']} evaluations of {figures['distinct_inputs']} distinct inputs, "
        f"{figures['cpu_seconds']} s cpu ({figures['repeated_cpu_seconds']} s of it on inputs evaluated before); "
        f"{figures['shared_hits']} shared evaluations handed out again"
    )
    for key, tests in figures["repeated"].items():
        terminalreporter.write_line(f"  {key} {tests[-1]}: {', '.join(tests[:-1])}")
    target = os.environ.get("GOLDENTOOTH_EVAL_STATS", "")
    if target not in ("", "1"):
        Path(target).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


install()  # at import: `-p` loads this before tests/conftest.py and the test modules bind `evaluate`
