"""Loki's and Vector's rendered configs, validated against typed models of their documented keys
(tests/observability_schemas.py; neither has a binary or a published schema here), and the facts that fix the
reference's bugs: persistent data, TLS end to end, no token anywhere, every Vector input defined."""

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from observability.loki import loki_config
from observability.vector import vector_config
from tests.observability_schemas import LokiConfig, VectorConfig
from tests.observability_support import real_spec


def test_the_loki_config_matches_the_model_and_keeps_data_out_of_tmp() -> None:
    spec = real_spec()
    config = LokiConfig.model_validate(loki_config(spec))
    assert config.common.path_prefix == "/var/lib/loki"
    assert not any(v.startswith("/tmp") for v in (config.common.storage.filesystem.chunks_directory,
                                                  config.compactor.working_directory))
    assert config.server.http_tls_config is not None
    assert config.server.http_listen_address == str(spec.node(spec.roles.loki).ip)
    assert config.common.ring.kvstore.store == "inmemory"  # no Consul ACL token to mint or store
    assert config.ruler.alertmanager_url.endswith(":9093")
    assert "token" not in str(loki_config(spec)).lower()


def test_the_loki_model_rejects_a_misplaced_key() -> None:
    broken = loki_config(real_spec())
    broken["server"]["retention_period"] = "1d"
    with pytest.raises(ValidationError):
        LokiConfig.model_validate(broken)


def test_every_nodes_vector_config_matches_the_model_and_ships_the_journal_over_tls() -> None:
    spec = real_spec()
    for node in spec.nodes:
        raw = vector_config(spec, node.name)
        config = VectorConfig.model_validate(raw)
        sink = raw["sinks"]["loki"]
        assert sink["endpoint"].startswith("https://") and sink["tls"]["verify_hostname"] is True
        assert sink["labels"]["node"] == node.name
        inputs = {i for s in raw["sinks"].values() for i in s["inputs"]}
        assert inputs <= set(config.sources), node.name
        assert raw["sinks"]["prometheus"]["address"] == f"{node.ip}:9598"


def test_the_vector_model_rejects_an_unknown_source_type() -> None:
    broken = vector_config(real_spec(), "allyrion")
    broken["sources"]["docker"] = {"type": "docker_logs"}
    with pytest.raises(ValidationError):
        VectorConfig.model_validate(broken)


def test_grafana_loki_and_vector_are_registered_once_their_certificates_are_ready(real_plain: dict[str, Any]) -> None:
    from tests.observability_support import evaluate_with_certificates

    ev = evaluate_with_certificates(copy.deepcopy(real_plain))
    spec = ev.spec
    names = {r.name for r in ev.resources}
    assert {f"{spec.roles.grafana}-grafana-service", f"{spec.roles.loki}-loki-service"} <= names
    assert all(f"{n.name}-vector-service" in names for n in spec.nodes)
    ini = next(f for f in ev.files if f.node == spec.roles.grafana and f.path == "/etc/grafana/grafana.ini")
    assert "{{secret:GRAFANA_ADMIN_PASSWORD}}" in ini.content  # the generated password stays in the secret Output
    assert any(r.type == "random:index/randomPassword:RandomPassword" for r in ev.resources)


def test_without_certificates_grafana_loki_and_vector_are_not_registered(evaluate_edited: Any) -> None:
    """With the PKI layer off nothing issues their certificates, and a daemon without its TLS files would not
    start: they are left out. (In the real stack the PKI layer is on and issues them.)"""
    without_pki = evaluate_edited(lambda plain: plain.setdefault("pki", {}).update({"enabled": False}))
    names = {r.name for r in without_pki.resources}
    assert not any(n.endswith(("-grafana-service", "-loki-service", "-vector-service")) for n in names)
