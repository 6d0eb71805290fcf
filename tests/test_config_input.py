"""Reading and reporting of stack files (issue 13): one C-parsed read that never raises, namespaces, masking."""

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from config import reading
from config.errors import ConfigError
from config.load import load, read_stack
from config.masking import MASK, Masker
from config.namespaces import PROVIDER_NAMESPACES
from config.secrets import SecretValues
from offline import cli
from tests.conftest import ROOT, STACK_FILE
from tests.invalid_configs.corpus import all_cases

# Issue 13 §7: one case per new rule; a rule dropped from the corpus fails here.
REQUIRED = {
    "stack-file-not-utf8", "stack-file-utf16", "stack-file-compressed", "stack-file-nests-too-deep",
    "yaml-alias-bomb", "yaml-recursive-alias", "yaml-tab-indentation", "yaml-two-documents", "stack-file-empty",
    "config-all-under-wrong-namespace", "stack-key-outside-config", "stack-file-key-typo", "namespace-typo",
    "provider-namespace-typo", "key-without-namespace", "misplaced-key-belongs-one-level-down", "unknown-key-deep",
    "section-not-a-mapping", "section-empty", "nodes-not-a-list-collapses", "model-not-known",
    "number-field-given-text", "unquoted-mac-read-as-base-60", "unquoted-time-read-as-base-60", "unquoted-date",
    "unquoted-version-read-as-number", "node-name-lookalike-letter", "node-name-trailing-space",
    "timezone-not-in-tz-database", "country-not-iso-3166", "aws-region-unknown", "cidr-without-prefix-length",
    "pod-range-smaller-than-node-cidr", "pod-range-too-few-blocks", "service-range-too-small",
    "service-range-too-large", "metallb-pool-too-small", "host-key-for-unknown-node", "host-key-malformed",
    "duplicate-device-on-node", "storage-role-without-disk", "private-key-in-a-plain-field",
    "secret-value-in-a-free-text-field", "secret-with-newline-in-a-plain-field",
}


def test_the_corpus_has_a_case_for_every_rule_of_issue_13() -> None:
    missing = REQUIRED - {c.name for c in all_cases()}
    assert not missing, sorted(missing)


def test_the_stack_file_is_parsed_once_and_by_libyaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert reading.WITH_C_PARSER, "PyYAML without libyaml: the 10,000-node stack would take the pure-Python parser"
    calls: list[str] = []
    original = reading.parse_yaml

    def counting(text: str) -> object:
        calls.append("parse")
        return original(text)

    monkeypatch.setattr(reading, "parse_yaml", counting)
    stack = tmp_path / "Pulumi.x.yaml"
    stack.write_text(STACK_FILE.read_text(encoding="utf-8").replace("hostIndex: 3\n", "hostIndex: 2\n"), encoding="utf-8")
    assert cli.main(["plan", "--config", str(stack)]) == cli.EXIT_INVALID_CONFIG
    assert calls == ["parse"]


def test_the_real_stack_reads_with_its_provider_config() -> None:
    plain, _, providers = read_stack(STACK_FILE)
    assert providers["aws:region"] == "us-east-1"
    assert "kubernetes:strictMode" in providers
    assert not [k for k in plain if ":" in k], "a real key was taken for a stray namespace"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_reading_any_bytes_raises_nothing_but_a_config_error(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "Pulumi.any.yaml"
    path.write_bytes(data)
    try:
        reading.read_config(path)
    except ConfigError as exc:
        assert all(str(path) in v.path or ":" in v.path for v in exc.violations)


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_BYTES", 1024)
    path = tmp_path / "Pulumi.big.yaml"
    path.write_text("config:\n" + "  # padding\n" * 200, encoding="utf-8")
    with pytest.raises(ConfigError, match="is larger than"):
        reading.read_config(path)


def test_deep_nesting_never_reaches_libyamls_recursive_composer(tmp_path: Path) -> None:
    """libyaml's composer recurses in C: 200,000 brackets crash the process instead of raising."""
    path = tmp_path / "Pulumi.deep.yaml"
    path.write_text("config: " + "[" * 200_000, encoding="utf-8")
    with pytest.raises(ConfigError, match="nests deeper than"):
        reading.read_config(path)


def test_known_provider_namespaces_are_the_pulumi_packages_the_project_depends_on() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    packages = {m.group(1) for d in deps if (m := re.match(r"pulumi-([a-z]+)==", d))} - {"policy"}
    assert packages == PROVIDER_NAMESPACES


def test_yaml_1_1_booleans_read_as_the_pulumi_cli_reads_them() -> None:
    """`NO` is Norway to the CLI (YAML 1.2); a boolean field still takes `yes`."""
    data = reading.parse_yaml("countries: [NO, SE]\nflag: yes\nreal: true\n")
    assert data == {"countries": ["NO", "SE"], "flag": "yes", "real": True}


SECRET = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAbm90LWEtcmVhbC1rZXktYnV0LWxvbmctZW5vdWdo\nQkJCQkJCQkJCQkJCQkJCQkJCQkJC\n-----END OPENSSH PRIVATE KEY-----\n"


@pytest.mark.parametrize("form", [
    SECRET, SECRET.strip(), repr(SECRET), repr(SECRET.strip()), '"' + SECRET.replace("\n", "\\n") + '"',
    __import__("base64").b64encode(SECRET.encode()).decode(), "AAAAbm90LWEtcmVhbC1rZXktYnV0LWxvbmctZW5vdWdo",
], ids=["raw", "stripped", "repr", "repr-stripped", "json", "base64", "one-line"])
def test_every_representation_of_a_secret_is_masked(form: str) -> None:
    masker = Masker.of(SecretValues({"sshPrivateKey": SecretStr(SECRET)}), {})
    masked = masker.text(f"value was {form} here")
    assert MASK in masked
    for line in SECRET.splitlines():
        if len(line) > 8 and "-----" not in line:
            assert line not in masked


def test_a_secret_pasted_into_a_plain_field_is_an_error_and_never_shown(real_plain: dict[str, object]) -> None:
    plain = {**real_plain, "cluster": {**real_plain["cluster"], "operatorUser": SECRET}}  # type: ignore[dict-item]
    with pytest.raises(ConfigError) as raised:
        load(plain, SecretValues(), require_secrets=False)
    report = raised.value.report()
    assert "cluster.operatorUser: looks like a private key" in report
    assert "bm90LWEtcmVhbC1rZXk" not in report
