"""The Route53 zone is read by id, never created; the cluster's records go into it with TTLs from config."""

import copy
from collections.abc import Callable
from typing import Any

import pytest

import offline.recorder
from config.errors import ConfigError
from config.load import parse_spec
from offline.evaluate import Evaluation
from offline.recorder import RecordingMonitor

Evaluate = Callable[[Callable[[dict[str, Any]], None]], Evaluation]
ZONE_ID = "Z0736727S7ZH91VKK44A"


class ReadRecordingMonitor(RecordingMonitor):
    """Also keeps the resources the program reads (`Resource.get`), which the plan does not list."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[Any] = []

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        self.reads.append(request)
        return super().ReadResource(request)  # type: ignore[no-untyped-call]


def _records(ev: Evaluation) -> dict[tuple[str, str], Any]:
    return {(r.inputs["name"], r.inputs["type"]): r for r in ev.of_type("aws:route53/record:Record")}


def test_the_zone_is_never_registered_so_no_change_can_create_replace_or_delete_it(real_evaluation: Evaluation) -> None:
    assert real_evaluation.of_type("aws:route53/zone:Zone") == []
    assert real_evaluation.of_type("aws:route53/delegationSet:DelegationSet") == []


def test_the_zone_is_read_by_the_configured_id_through_an_explicit_provider(
    monkeypatch: pytest.MonkeyPatch, evaluate_edited: Evaluate
) -> None:
    monitors: list[ReadRecordingMonitor] = []

    def make() -> ReadRecordingMonitor:
        monitors.append(ReadRecordingMonitor())
        return monitors[-1]

    monkeypatch.setattr(offline.recorder, "RecordingMonitor", make)
    evaluate_edited(lambda plain: None)
    reads = [r for r in monitors[0].reads if r.type == "aws:route53/zone:Zone"]
    assert [(r.id, r.name) for r in reads] == [(ZONE_ID, "zone-goldentooth.net")]
    assert "pulumi:providers:aws::aws-edge-us-east-1" in reads[0].provider


def test_every_record_goes_into_the_adopted_zone_and_waits_for_the_read(real_evaluation: Evaluation) -> None:
    records = real_evaluation.of_type("aws:route53/record:Record")
    assert records
    for r in records:
        assert r.inputs["zoneId"] == ZONE_ID, r.urn
        assert any(u.endswith("aws:route53/zone:Zone::zone-goldentooth.net") for u in r.property_dependencies["zoneId"])
        assert real_evaluation.provider_of(r).name == "aws-edge-us-east-1"


def test_control_plane_name_points_at_the_haproxy_node(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    record = _records(real_evaluation)[("cp.k8s.goldentooth.net", "A")]
    assert record.inputs["records"] == [str(spec.node(spec.roles.haproxy).ip)] == ["10.4.0.10"]
    assert record.inputs["ttl"] == spec.aws.ttl.default == 60


def test_every_node_has_an_a_record_under_the_nodes_domain(real_evaluation: Evaluation) -> None:
    records = _records(real_evaluation)
    for node in real_evaluation.spec.nodes:
        record = records[(f"{node.name}.nodes.goldentooth.net", "A")]
        assert record.inputs["records"] == [str(node.ip)]
        assert record.inputs["ttl"] == real_evaluation.spec.aws.ttl.nodes == 300


def test_blog_and_static_records_are_cnames_to_github_pages_at_the_net_domain(real_evaluation: Evaluation) -> None:
    records = _records(real_evaluation)
    assert records[("clog.goldentooth.net", "CNAME")].inputs["records"] == ["goldentooth.github.io"]
    assert records[("p5js-sketches.goldentooth.net", "CNAME")].inputs["records"] == ["goldentooth.github.io"]
    assert not any(name.endswith(".com") for name, _ in records)


def test_ttls_come_from_config(evaluate_edited: Evaluate) -> None:
    ev = evaluate_edited(lambda plain: plain["aws"].update(ttl={"default": 120, "nodes": 900}))
    records = _records(ev)
    assert records[("cp.k8s.goldentooth.net", "A")].inputs["ttl"] == 120
    assert records[("clog.goldentooth.net", "CNAME")].inputs["ttl"] == 120
    assert records[("fenn.nodes.goldentooth.net", "A")].inputs["ttl"] == 900
    validation = [r for r in ev.of_type("aws:route53/record:Record") if "-validation-" in r.name]
    assert validation and all(r.inputs["ttl"] == 120 for r in validation)


def test_a_node_domain_outside_the_zone_is_a_config_error_before_anything_registers(real_plain: dict[str, Any]) -> None:
    plain = copy.deepcopy(real_plain)
    plain["domains"]["nodes"] = "nodes.goldentooth.org"
    with pytest.raises(ConfigError) as caught:
        parse_spec(plain)
    assert [str(v) for v in caught.value.violations] == [
        "domains.nodes: nodes.goldentooth.org is outside the zone goldentooth.net (domains.base) that holds the node records"
    ]


def test_zone_records_live_in_the_zone_component(real_evaluation: Evaluation) -> None:
    zone = real_evaluation.one("goldentooth:aws:Zone", "zone")
    assert zone.parent.endswith("goldentooth:aws:Cloud::aws")
    plain = [r for r in real_evaluation.of_type("aws:route53/record:Record") if real_evaluation.within(r, "goldentooth:aws:Zone")]
    assert len(plain) == 2 + 17 + len(real_evaluation.spec.aws.records)
