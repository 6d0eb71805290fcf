"""Lab: the Consul ACL step, exactly as the program registered it, against a fake of Consul's ACL HTTP API
(tests/lab/fake_consul_acl.py) on erenford's lab host, over TLS with client certificates (verify_incoming).

No Consul server may run here (BSL). The fake answers the endpoints the step calls with Consul's documented
shapes, keeps its state in a file, and refuses what Consul refuses (a second policy of one name, a reused
accessor or secret, a changed secret id). What this proves: a fresh cluster gets every policy and token with
the ids the program preset, a re-run changes nothing, drift is repaired one object at a time, and a cluster
bootstrapped with another management token is refused with nothing written."""

import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from offline.evaluate import Evaluation
from tests.lab.lab_ca import LabCa
from tests.lab.node_lab import NodeLab, prerequisites
from tests.nodes_support import Step

pytestmark = pytest.mark.lab

FAKE = Path(__file__).with_name("fake_consul_acl.py")
NODE = "erenford"


def _acl_step(ev: Evaluation) -> Step:
    """The registered step, its stdin's offline placeholders for pulumi-random UUIDs replaced by UUIDs (what the
    engine hands over: Consul requires UUID ids; a placeholder is the same string every evaluation)."""
    resource = next(r for r in ev.resources if r.type == "command:remote:Command" and r.name == f"{NODE}-consul-acl")
    stdin = re.sub(r"\[placeholder random uuid of [^\]]+\]", lambda m: str(uuid.uuid5(uuid.NAMESPACE_URL, m.group(0))),
                   str(resource.raw_inputs["stdin"]))
    raw = {**resource.raw_inputs, "stdin": stdin}
    return Step(NODE, "consul-acl", dataclasses.replace(resource, raw_inputs=raw))


def _tls(work: Path, root: Path) -> dict[str, Path]:
    """A root, a server certificate for 127.0.0.1 (the fake) and the node's client certificate (the step)."""
    ca = LabCa.create(work, "lab root")
    out = {"ca": ca.cert}
    for name, san in (("server", "IP:127.0.0.1,DNS:server.dc1.consul"), ("client", "DNS:server.dc1.consul")):
        out[f"{name}.crt"], out[f"{name}.key"] = ca.issue(name, "server.dc1.consul", san)
    (root / "etc/ssl/certs").mkdir(parents=True, exist_ok=True)
    shutil.copy(ca.cert, root / "etc/ssl/certs/goldentooth.pem")
    (root / "etc/consul.d/certs").mkdir(parents=True, exist_ok=True)
    shutil.copy(out["client.crt"], root / "etc/consul.d/certs/tls.crt")
    shutil.copy(out["client.key"], root / "etc/consul.d/certs/tls.key")
    return out


class Fake:
    def __init__(self, lab: NodeLab, namespace: str, tls: dict[str, Path], token: str, state: Path) -> None:
        self.state, self.log = state, Path(f"{state}.log")
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", namespace, sys.executable, str(FAKE), "127.0.0.1", "8501", str(tls["server.crt"]),
             str(tls["server.key"]), str(tls["ca"]), token, str(state)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        probe = "import socket; socket.create_connection(('127.0.0.1', 8501), timeout=1).close()"
        for _ in range(100):
            if subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", probe],
                              capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        raise AssertionError("the fake Consul did not listen")

    def data(self) -> dict[str, Any]:
        value = json.loads(self.state.read_text()) if self.state.exists() else {"policies": {}, "tokens": {}}
        assert isinstance(value, dict)
        return value

    def writes(self) -> list[str]:
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [line for line in lines if not line.startswith("GET ")]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(real_evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeLab]:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("consul-acl-lab")
    instance = NodeLab(real_evaluation, [NODE], work)
    try:
        instance.up()
        yield instance
    finally:
        instance.down()
        shutil.rmtree(work, ignore_errors=True)


def test_the_acl_step_creates_every_preset_id_once_and_repairs_only_drift(
    lab: NodeLab, real_evaluation: Evaluation, tmp_path: Path
) -> None:
    step = _acl_step(real_evaluation)
    assert step.stdin is not None
    document = json.loads(step.stdin)
    tls = _tls(tmp_path, lab.hosts[NODE].root)
    fake = Fake(lab, lab.hosts[NODE].namespace, tls, document["ManagementToken"], tmp_path / "state.json")
    try:
        first = lab.run_step(step)
        assert first.returncode == 0, first.stderr
        data = fake.data()
        assert sorted(p["Name"] for p in data["policies"].values()) == sorted(p["Name"] for p in document["Policies"])
        assert {a: t["SecretID"] for a, t in data["tokens"].items()} == {
            t["AccessorID"]: t["SecretID"] for t in document["Tokens"]}, "every token carries the preset ids"
        assert len(first.changes) == len(document["Policies"]) + len(document["Tokens"])

        again = lab.run_step(step)
        assert again.returncode == 0 and again.changes == [], again.changes
        writes = len(fake.writes())

        # Drift: one token lost its policy link, one was deleted, one policy's rules were edited by hand.
        data = fake.data()
        agent = next(a for a, t in data["tokens"].items() if t["Description"] == f"Consul agent token for {NODE}")
        data["tokens"][agent]["Policies"] = []
        gone = next(a for a, t in data["tokens"].items() if t["Description"] == "Prometheus scrape token")
        del data["tokens"][gone]
        stale = next(a for a, t in data["tokens"].items() if t["Description"] == f"Vault service registration on {NODE}")
        data["tokens"][stale]["SecretID"] = str(uuid.uuid4())  # an old secret: the program's was rotated
        vault = next(i for i, p in data["policies"].items() if p["Name"] == "vault")
        data["policies"][vault]["Rules"] = 'service_prefix "" { policy = "write" }\n'
        fake.state.write_text(json.dumps(data))
        repaired = lab.run_step(step)
        assert repaired.returncode == 0, repaired.stderr
        assert sorted(repaired.changes) == sorted([
            "changed: consul policy vault updated", f"changed: consul token 'Consul agent token for {NODE}' updated",
            "changed: consul token 'Prometheus scrape token' created",
            f"changed: consul token 'Vault service registration on {NODE}' rotated"])
        assert len(fake.writes()) == writes + 5  # the rotation is a delete and a create (secret ids never change)
        assert {a: t["SecretID"] for a, t in fake.data()["tokens"].items()} == {
            t["AccessorID"]: t["SecretID"] for t in document["Tokens"]}
        assert lab.run_step(step).changes == []
    finally:
        fake.stop()


def test_a_cluster_bootstrapped_with_another_token_is_refused_and_nothing_written(
    lab: NodeLab, real_evaluation: Evaluation, tmp_path: Path
) -> None:
    step = _acl_step(real_evaluation)
    tls = _tls(tmp_path, lab.hosts[NODE].root)
    fake = Fake(lab, lab.hosts[NODE].namespace, tls, "the-live-clusters-own-token", tmp_path / "state.json")
    try:
        outcome = lab.run_step(step)
        assert outcome.returncode == 1
        assert "rejects the program's management token" in outcome.stderr
        assert "goldentooth:consulManagementToken" in outcome.stderr
        assert fake.writes() == [] and fake.data() == {"policies": {}, "tokens": {}}
        assert "the-live-clusters-own-token" not in outcome.stderr + outcome.stdout
    finally:
        fake.stop()
