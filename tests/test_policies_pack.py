"""The pack as the Pulumi CLI runs it: `python -m pulumi.policy <engine> <pack dir>` starts the analyzer
gRPC server, prints its port and blocks. These tests start it that way, talk to it over loopback with the
engine's own Analyzer protocol, then stop it."""

import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

from policies.catalog import POLICIES

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "policies"


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement.split("==")[0]).lower()


def _pins(path: Path) -> dict[str, str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return {_name(line): line.split("==", 1)[1] for line in lines if line and not line.startswith("#")}


def test_pack_declares_the_python_runtime_with_its_own_virtualenv() -> None:
    document = yaml.safe_load((PACK / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert document["runtime"]["name"] == "python"
    assert document["runtime"]["options"]["virtualenv"] == "venv"
    assert re.fullmatch(r"\d+\.\d+\.\d+", document["version"])


def test_pack_requirements_are_pinned_to_the_project_lock() -> None:
    pack, lock = _pins(PACK / "requirements.txt"), _pins(ROOT / "requirements.lock")
    assert {"pulumi", "pulumi-policy", "grpcio", "protobuf"} <= set(pack)
    shared = {name: version for name, version in pack.items() if name in lock}
    assert shared == {name: lock[name] for name in shared}
    assert set(pack) - set(lock) <= {"setuptools"}  # pulumi-policy needs it; the project venv has it from venv


def test_policy_names_are_unique_and_every_rule_says_how_to_fix_it() -> None:
    names = [p.name for p in POLICIES]
    assert len(names) == len(set(names))
    assert all(p.remediation_steps for p in POLICIES)


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(PACK)],
        cwd=PACK, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit(), f"pack did not start: {port!r} {process.stderr.read() if process.stderr else ''}"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


def test_served_pack_lists_every_rule_with_its_default_enforcement(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    served = {p.name: p.enforcementLevel for p in info.policies}
    assert set(served) == {p.name for p in POLICIES}
    assert served["stateful-resources-protected"] == analyzer_pb2.MANDATORY
    assert served["k8s-app-resources-and-probes"] == analyzer_pb2.ADVISORY
    assert info.name == "goldentooth" and info.supportsConfig


def _command(logging: str) -> analyzer_pb2.AnalyzeRequest:
    props = {"create": "install -m600 /dev/stdin /root/.ssh/id", "stdin": "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n",
             "logging": logging, "addPreviousOutputInEnv": False}
    return analyzer_pb2.AnalyzeRequest(
        type="command:remote:Command", properties=_struct(props), urn="urn:pulumi:s::goldentooth::command:remote:Command::k",
        name="k", options=analyzer_pb2.AnalyzerResourceOptions(additionalSecretOutputs=["stdout", "stderr"]),
    )


def test_served_pack_reports_a_violation_the_way_the_cli_sees_it(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    assert list(analyzer.Analyze(_command("none")).diagnostics) == []
    [diagnostic] = analyzer.Analyze(_command("stdoutAndStderr")).diagnostics
    assert diagnostic.policyName == "command-secret-output-hidden"
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert "receives a secret (its stdin carries a PEM private key)" in diagnostic.message


def test_served_pack_runs_stack_rules_over_dependency_edges(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    def cmd(name: str, create: str, deps: list[str]) -> analyzer_pb2.AnalyzerResource:
        return analyzer_pb2.AnalyzerResource(
            type="command:remote:Command", name=name, urn=f"urn:pulumi:s::goldentooth::command:remote:Command::{name}",
            properties=_struct({"create": create, "connection": {"host": f"10.4.0.{len(name)}"}}), dependencies=deps,
        )

    init = cmd("init", "kubeadm init", [])
    joined = analyzer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=[init, cmd("join-a", "kubeadm join x", [init.urn])]))
    assert [d.policyName for d in joined.diagnostics] == []
    loose = analyzer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=[init, cmd("join-b", "kubeadm join x", [])]))
    assert [d.policyName for d in loose.diagnostics] == ["kubeadm-join-after-init"]


def test_served_pack_takes_enforcement_and_settings_from_policy_config(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    request.policyConfig["k8s-loadbalancer-ip-in-metallb-pool"].CopyFrom(
        analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.ADVISORY, properties=_struct({"pools": ["10.4.12.0/24"]}))
    )
    analyzer.Configure(request)
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
               "spec": {"type": "LoadBalancer", "loadBalancerIP": "10.4.11.5"}}
    response = analyzer.Analyze(analyzer_pb2.AnalyzeRequest(
        type="kubernetes:core/v1:Service", properties=_struct(service), urn="urn:pulumi:s::g::kubernetes:core/v1:Service::s",
        name="s", options=analyzer_pb2.AnalyzerResourceOptions()))
    [diagnostic] = response.diagnostics
    assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
    assert "outside the MetalLB pool 10.4.12.0/24" in diagnostic.message
    analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest())


def test_plugin_info_is_served(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    assert isinstance(analyzer.GetPluginInfo(empty_pb2.Empty()), plugin_pb2.PluginInfo)
