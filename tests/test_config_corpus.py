"""The invalid-config corpus (tests/invalid_configs): each case is rejected with exactly its messages,
before anything is registered, without printing anything on stdout or leaking a secret."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from config.errors import ConfigError
from config.load import load, read_stack_file
from offline import cli
from offline.recorder import RecordingMonitor
from tests.conftest import ROOT, TEST_SECRETS
from tests.invalid_configs.corpus import Case, all_cases, apply_edit, real_config

CASES = all_cases()
PLAN_CASES = [c for c in CASES if c.mode == "plan"]
UP_CASES = [c for c in CASES if c.mode == "pulumi-up"]

# Issue 2 §3: at least one case per rule. A rule dropped from the corpus fails here, not silently.
REQUIRED = {
    "unknown-key-top-level", "unknown-key-nested", "duplicate-node-name", "duplicate-ip", "duplicate-mac",
    "malformed-mac", "malformed-ip", "malformed-cidr", "non-canonical-cidr", "node-ip-outside-node-network",
    "node-ip-on-network-address", "node-ip-on-broadcast-address", "node-ip-on-gateway",
    "overlapping-node-and-service-ranges", "overlapping-service-and-pod-ranges", "overlapping-metallb-and-pod-ranges",
    "metallb-pool-outside-node-network", "metallb-pool-covers-node-ip", "role-names-unknown-node",
    "even-quorum-control-plane", "empty-quorum-control-plane", "even-quorum-consul-servers",
    "empty-quorum-consul-servers", "even-quorum-vault-servers", "empty-quorum-vault-servers",
    "even-quorum-nomad-servers", "empty-quorum-nomad-servers", "even-quorum-seaweedfs-masters",
    "empty-quorum-seaweedfs-masters", "pi-firmware-on-x86", "gpu-role-without-gpu", "fan-temperature-in-degrees",
    "overclock-above-safe-maximum", "over-voltage-on-pi5", "duplicate-yaml-key", "duplicate-yaml-key-nested",
    "missing-required-secret",
}


def _reported(text: str) -> list[str]:
    """The `path: message` lines of a ConfigError report."""
    lines = text.strip().splitlines()
    assert lines and lines[0].startswith("invalid goldentooth config: "), text
    assert all(line.startswith("  - ") for line in lines[1:]), text
    return sorted(line.removeprefix("  - ") for line in lines[1:])


def _assert_no_secret(*texts: str) -> None:
    for key, value in TEST_SECRETS.items():
        for text in texts:
            assert value not in text, f"secret {key} appears in output"


@pytest.fixture
def registrations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every mock installation and resource registration made while the test runs."""
    seen: list[str] = []
    original_register = RecordingMonitor.RegisterResource
    original_set_mocks = pulumi.runtime.set_mocks

    def register(self: RecordingMonitor, request: Any) -> Any:
        seen.append(f"register {request.type} {request.name}")
        return original_register(self, request)

    def set_mocks(*args: Any, **kwargs: Any) -> None:
        seen.append("set_mocks")
        original_set_mocks(*args, **kwargs)

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", register)
    monkeypatch.setattr(pulumi.runtime, "set_mocks", set_mocks)
    return seen


def test_the_corpus_has_a_case_for_every_rule_of_issue_2() -> None:
    missing = REQUIRED - {c.name for c in CASES}
    assert not missing, sorted(missing)


@pytest.mark.parametrize("case", PLAN_CASES, ids=lambda c: c.name)
def test_plan_rejects_the_case_with_exactly_its_messages_and_registers_nothing(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str], registrations: list[str]
) -> None:
    stack = case.write(tmp_path)
    code = cli.main(["plan", "--config", str(stack), "--json", "-"])
    out, err = capsys.readouterr()
    assert code == cli.EXIT_INVALID_CONFIG
    assert out == ""
    assert _reported(err) == case.expected(stack)
    assert registrations == []
    _assert_no_secret(out, err)


@pytest.mark.parametrize("case", UP_CASES, ids=lambda c: c.name)
def test_pulumi_up_refuses_the_case_but_the_offline_plan_uses_placeholders(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = case.write(tmp_path)
    plain, secrets = read_stack_file(stack)
    with pytest.raises(ConfigError) as raised:
        load(plain, secrets, require_secrets=True)
    assert _reported(raised.value.report()) == case.expected(stack)
    _assert_no_secret(raised.value.report())
    assert cli.main(["plan", "--config", str(stack)]) == 0
    _assert_no_secret(*capsys.readouterr())


def test_every_case_applied_to_the_real_stack_changes_it() -> None:
    """A case whose edit silently no longer applies (a renamed node, a moved key) would test nothing."""
    for case in PLAN_CASES + UP_CASES:
        if case.stack is not None or not case.edits:
            continue
        config = real_config()
        for edit in case.edits:
            apply_edit(config, edit)
        assert config != real_config(), case.name


def test_one_run_reports_every_independent_problem(tmp_path: Path) -> None:
    """A bad IP on one node, an even quorum and an unknown name in a role: all three in one run of the
    installed command, on stderr, with nothing on stdout."""
    config = real_config()
    for edit in (
        {"set": "goldentooth:nodes.karstark.ip", "value": "10.5.0.20"},
        {"set": "goldentooth:roles.vault.servers", "value": ["erenford", "fenn"]},
        {"append": "goldentooth:roles.nomad.clients", "value": "zed"},
        {"set": "goldentooth:nodes.allyrion.firmware", "value": {"fan": {"gpioPin": 14, "tempMillicelsius": 55}}},
    ):
        apply_edit(config, edit)
    config.update({f"goldentooth:{k}": v for k, v in TEST_SECRETS.items()})
    stack = tmp_path / "Pulumi.several.yaml"
    stack.write_text(yaml.safe_dump({"config": config}, allow_unicode=True), encoding="utf-8")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("goldentooth")), "plan", "--config", str(stack), "--json", "-"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert _reported(result.stderr) == [
        "nodes.allyrion.firmware.fan.tempMillicelsius: 55 looks like degrees: the overlay counts millidegrees, "
        "so 55 °C is 55000",
        "nodes.karstark.ip: 10.5.0.20 is outside the node network 10.4.0.0/20",
        "roles.nomad.clients[13]: 'zed' is not a node in the inventory",
        "roles.vault.servers: the Vault raft quorum has 2 members: it survives no more failures than 1 members "
        "would, and a split vote can stall it; use an odd number",
    ]
    assert result.stderr.startswith("invalid goldentooth config: 4 problems\n")
    _assert_no_secret(result.stdout, result.stderr)
