"""Shared fixtures: the real stack config, evaluations of it, and a way to derive edited configs.

Every test that only reads the real stack uses one of the session-scoped evaluations here (`real_evaluation`,
`real_file_evaluation`, `real_preview_evaluation`): each is computed once per test run, whatever the number of
tests and layers. `evaluate_edited` (in a test) and `evaluate_shared(plain)` (in a module fixture or helper) share
the evaluation of an edited config with the next tests that ask for the same one (tests/shared_evaluations.py;
tests/test_direct_evaluations.py fails a module that evaluates on its own without saying why). All of them are
read-only. Query them through the `Evaluation` methods (of_type, one, named, command, file, waits_for...).
"""

import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

import offline.evaluate as evaluate_module
from config.load import read_stack_file
from config.secrets import SECRET_KEYS, SecretValues
from offline.evaluate import Evaluation
from tests.shared_evaluations import STATE, shared_evaluate, shared_evaluate_file
from tests.skip_summary import pytest_unconfigure  # noqa: F401  (the session's last line: skips and why)

ROOT = Path(__file__).resolve().parent.parent
STACK_FILE = ROOT / "Pulumi.goldentooth.yaml"

# Test secrets are plain strings, as a stack file written by a test would hold them. They are still
# secrets: tests assert that none of these strings leaks into plans, rendered files or messages.
TEST_SECRETS = {key: f"TEST-SECRET-{key}-d0n0tl3ak" for key in sorted(SECRET_KEYS)}
PROVIDERS = {"aws:region": "us-east-1"}


def fake_secret_values() -> SecretValues:
    return SecretValues({k: SecretStr(v) for k, v in TEST_SECRETS.items()})


def evaluate_shared(plain: dict[str, Any], *, keep: bool = False) -> Evaluation:
    """The stack `plain` with the test secrets, as the session fixtures evaluate it, shared with every test and
    module fixture asking for the same config (read-only: tests/shared_evaluations.py)."""
    return shared_evaluate(plain, fake_secret_values(), provider_config=PROVIDERS, keep=keep)


@pytest.fixture(autouse=True)
def _patched_tests_evaluate_afresh(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that patches code gets evaluations of its own: its patches are no part of the sharing's key."""
    STATE.patched = "monkeypatch" in request.fixturenames
    yield
    STATE.patched = False


@pytest.fixture(scope="session")
def real_plain() -> dict[str, Any]:
    plain, _ = read_stack_file(STACK_FILE)
    return plain


@pytest.fixture(scope="session")
def real_evaluation() -> Evaluation:
    """The real stack, evaluated once per session with test secrets (read-only: do not mutate)."""
    plain, _ = read_stack_file(STACK_FILE)
    return evaluate_shared(plain, keep=True)


@pytest.fixture(scope="session")
def real_preview_evaluation() -> Evaluation:
    """The real stack under `pulumi preview` (outputs of resources not yet created are unknown), once per session."""
    plain, _ = read_stack_file(STACK_FILE)
    return shared_evaluate(plain, fake_secret_values(), preview=True, provider_config=PROVIDERS, keep=True)


@pytest.fixture(scope="session")
def real_file_evaluation() -> Evaluation:
    """The real stack file exactly as `goldentooth plan` reads it (secrets are placeholders)."""
    return shared_evaluate_file(STACK_FILE, keep=True)


@pytest.fixture(scope="session")
def cloudflare_evaluation(real_plain: dict[str, Any]) -> Evaluation:
    """The real stack with the Cloudflare layer on (one configured route) and the sample httpbin app public,
    evaluated once per session for every test of a stack with the tunnel."""
    from tests.topologies import cloudflare_on

    plain = copy.deepcopy(real_plain)
    cloudflare_on(plain)
    return evaluate_shared(plain, keep=True)


Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def evaluate_edited(real_plain: dict[str, Any]) -> Callable[[Edit], Evaluation]:
    """Evaluate the real stack after `edit`: shared with other tests asking for the same edit, except when the
    edit changes nothing, which only a test that wants the stack evaluated again asks for (else it would read
    `real_evaluation`)."""

    def run(edit: Edit) -> Evaluation:
        plain = copy.deepcopy(real_plain)
        edit(plain)
        if plain == real_plain:
            return evaluate_module.evaluate(plain, fake_secret_values(), provider_config=PROVIDERS)
        return evaluate_shared(plain)

    return run


def node_entry(plain: dict[str, Any], name: str) -> dict[str, Any]:
    for entry in plain["nodes"]:
        if entry["name"] == name:
            return entry  # type: ignore[no-any-return]
    raise KeyError(name)
