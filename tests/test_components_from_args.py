"""Components built alone from their Args, under the recording mock monitor: what one component registers does
not depend on the rest of the stack being evaluated around it."""

import pulumi
import pulumi_random as random

from aws.providers import make_providers
from aws.zone import Zone, ZoneArgs
from components.contributions import Backend, DnsRecord, TcpRoute
from config.spec import ClusterSpec
from edge.component import TYPE, HaproxyArgs, HaproxyLoadBalancer
from edge.config import HaproxyInputs
from nodes.node import Node, NodeArgs
from nodes.targets import ssh_target
from offline.evaluate import Evaluation
from offline.recorder import RecordedResource, record
from tests.conftest import fake_secret_values

LB = "allyrion"
ROUTE = TcpRoute("etcd-clients", 2379, (Backend("bettley", "10.4.0.11", 2379),))


def _edge(spec: ClusterSpec, *, with_tls: bool) -> tuple[RecordedResource, ...]:
    def program() -> None:
        node_spec = spec.node(LB)
        node = Node(LB, NodeArgs(node_spec, spec, ssh_target(spec, node_spec, fake_secret_values())))
        tls = [random.RandomId("tls-bundle-stand-in", byte_length=1)] if with_tls else []
        inputs = HaproxyInputs(str(node_spec.ip), "operator", "/etc/ssl/private/test.pem", tcp_routes=(ROUTE,))
        HaproxyLoadBalancer(LB, HaproxyArgs(node, inputs, pulumi.Output.secret("pw"), tls_ready=tls))

    return record(program)


def test_the_edge_component_alone_serves_exactly_the_routes_in_its_args(real_evaluation: Evaluation) -> None:
    resources = _edge(real_evaluation.spec, with_tls=False)
    [component] = [r for r in resources if r.type == TYPE]
    steps = {r.name: r for r in resources if r.parent == component.urn}
    assert sorted(steps) == sorted(f"{LB}-haproxy-{s}" for s in ("install", "env", "core-cfg", "services-early", "drop-in", "enable"))
    core = steps[f"{LB}-haproxy-core-cfg"].raw_inputs["stdin"]
    assert "frontend etcd-clients" in core and "server bettley 10.4.0.11:2379 check" in core
    assert "k8s-api-server" not in core  # nothing but what the Args carry
    assert component.aliases == ()  # no former parent given, no alias


def test_the_https_router_waits_for_the_tls_bundle_steps_it_is_given(real_evaluation: Evaluation) -> None:
    resources = _edge(real_evaluation.spec, with_tls=True)
    [services] = [r for r in resources if r.name == f"{LB}-haproxy-services-cfg"]
    [bundle] = [r for r in resources if r.name == "tls-bundle-stand-in"]
    assert bundle.urn in services.dependencies


def test_the_zone_alone_writes_one_record_set_per_record_it_is_given() -> None:
    records = (DnsRecord("a.example.net", "A", ("10.0.0.1",), 60), DnsRecord("b.example.net", "CNAME", ("a.example.net",), 300))

    def program() -> None:
        root = pulumi.ComponentResource("test:index:Root", "root")
        Zone("zone", ZoneArgs("Z123", "example.net", records, make_providers("eu-west-1", "test", root)))

    recorded = record(program, config={"aws:region": "eu-west-1"})
    sets = {r.name: r.inputs for r in recorded if r.type == "aws:route53/record:Record"}
    assert sets == {
        "a.example.net-A": {"name": "a.example.net", "type": "A", "ttl": 60, "records": ["10.0.0.1"], "zoneId": "Z123"},
        "b.example.net-CNAME": {"name": "b.example.net", "type": "CNAME", "ttl": 300, "records": ["a.example.net"],
                                "zoneId": "Z123"},
    }
