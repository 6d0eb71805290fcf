"""Secrets under `pulumi up` semantics: the program itself (as the Pulumi CLI runs it) refuses to start
without a required secret, names the command that sets it, registers nothing and echoes no value."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from cluster import program
from config.errors import ConfigError
from config.load import load, parse_spec
from config.secrets import SECRET_DEFS, SecretValues
from offline.recorder import RecordingMonitor, recording, run
from tests.conftest import TEST_SECRETS, fake_secret_values


@pytest.fixture
def monitor() -> Iterator[RecordingMonitor]:
    with recording() as rec:
        yield rec
    pulumi.runtime.set_all_config({})


def _cli_config(plain: dict[str, Any], secrets: dict[str, str]) -> dict[str, str]:
    """Config as the Pulumi CLI hands it to the program: JSON for objects, decrypted strings for secrets."""
    config = {f"goldentooth:{k}": json.dumps(v) for k, v in plain.items()}
    config.update({f"goldentooth:{k}": v for k, v in secrets.items()})
    config["aws:region"] = "us-east-1"
    return config


def _run_program() -> None:
    run(program.main)


def test_the_program_refuses_to_start_without_a_required_secret(real_plain: dict[str, Any], monitor: RecordingMonitor) -> None:
    secrets = {k: v for k, v in TEST_SECRETS.items() if k != "githubToken"}
    pulumi.runtime.set_all_config(_cli_config(real_plain, secrets))
    with pytest.raises(pulumi.RunError) as raised:
        program.main()
    message = str(raised.value)
    assert "goldentooth:githubToken: required secret is not set" in message
    assert "gh auth token | pulumi config set --secret goldentooth:githubToken" in message
    assert monitor.recorded == []
    for value in TEST_SECRETS.values():
        assert value not in message


def test_the_program_starts_when_every_required_secret_is_set(
    real_plain: dict[str, Any], monitor: RecordingMonitor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above: the same config with the secret registers the cluster."""
    previous = tmp_path / "memberships.json"
    previous.write_text("null", encoding="utf-8")  # a new stack: no earlier memberships (lifecycle/previous.py)
    monkeypatch.setenv("GOLDENTOOTH_PREVIOUS_MEMBERSHIPS", str(previous))
    pulumi.runtime.set_all_config(_cli_config(real_plain, TEST_SECRETS))
    _run_program()
    assert sum(1 for r in monitor.recorded if r.type == "goldentooth:nodes:Node") == len(real_plain["nodes"])


def test_every_missing_secret_is_reported_in_one_run(real_plain: dict[str, Any]) -> None:
    spec = parse_spec(real_plain)
    with pytest.raises(ConfigError) as raised:
        load(real_plain, SecretValues(), require_secrets=True)
    reported = {v.path for v in raised.value.violations}
    assert reported == {f"goldentooth:{d.key}" for d in SECRET_DEFS if d.required(spec)}
    assert {"goldentooth:githubToken", "goldentooth:sshPrivateKey"} <= reported


def test_an_ssh_agent_makes_the_private_key_optional(real_plain: dict[str, Any]) -> None:
    plain = {**real_plain, "ssh": {**real_plain.get("ssh", {}), "useAgent": True}}
    secrets = fake_secret_values()
    without_key = SecretValues({k: v for k, v in secrets.values.items() if k != "sshPrivateKey"})
    spec, _ = load(plain, without_key, require_secrets=True)
    assert spec.ssh.use_agent


def test_secret_values_never_show_in_a_repr_or_a_string() -> None:
    secrets = fake_secret_values()
    for text in (repr(secrets), str(secrets), repr(secrets.values)):
        for value in TEST_SECRETS.values():
            assert value not in text
