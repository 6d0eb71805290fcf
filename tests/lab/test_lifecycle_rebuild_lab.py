"""Lab: a host is wiped and rebuilt and rejoins (README, "Rebuild after a dead SD card").

karstark (a Kubernetes worker and Consul client) runs beside bettley (the first control plane, where its Node
object lives) and erenford (a Consul server, with the fake of Consul's agent API, tests/lab/fake_consul_acl.py).
The stack pins each lab host's real host key (`ssh.hostKeys`). karstark is wiped: a fresh image, a new host key,
empty state. Then, as an operator would: the old pin is refused (the connection's `hostKey`, checked strictly as
pulumi-command does); `goldentooth rebuild karstark --host-key NEWKEY` edits the stack file; the evaluated plan's
steps for karstark are applied in dependency order over real SSH: its node layer from scratch, the forget steps
(its old Node object deleted on bettley, its old Consul member force-left on erenford with the management token on
stdin), and its join, which runs with the configured bootstrap token. bettley and erenford are unchanged but for
what the forget steps are for (file snapshots before and after)."""

import datetime
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.load import read_stack_file
from offline.cli import main as cli
from offline.evaluate import Evaluation, evaluate
from tests.conftest import STACK_FILE, TEST_SECRETS, fake_secret_values
from tests.lab.apply import apply
from tests.lab.lifecycle_lab import (
    api_endpoint,
    engine_text,
    host_key,
    install_standins,
    run,
    run_step,
    seed_control_plane,
    seed_joined,
    sh,
    wipe,
)
from tests.lab.node_lab import NodeLab, node_lab, prerequisites
from tests.lab.snapshot import differences, snapshot
from tests.lab.test_consul_acl_fake import Fake, _tls
from tests.lifecycle_support import delta
from tests.nodes_support import Step, node_steps

pytestmark = pytest.mark.lab
NODE, CONTROL_PLANE, CONSUL_SERVER = "karstark", "bettley", "erenford"
HOSTS = [CONTROL_PLANE, CONSUL_SERVER, NODE]


def _evaluate(stack: Path) -> Evaluation:
    plain, _ = read_stack_file(stack)
    return evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"})


def _pinned_stack(path: Path, keys: dict[str, str]) -> None:
    """The real stack file with the lab hosts' keys pinned (as `ssh-keyscan` found them)."""
    document = yaml.safe_load(STACK_FILE.read_text(encoding="utf-8"))
    ssh = document["config"].setdefault("goldentooth:ssh", {})
    ssh["hostKeys"] = {**ssh.get("hostKeys", {}), **keys}
    path.write_text(yaml.safe_dump(document, sort_keys=False, width=1 << 20), encoding="utf-8")


def _members(fake: Fake) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = fake.data().get("members", [])
    return found


def _set_members(fake: Fake, members: list[dict[str, Any]]) -> None:
    fake.state.write_text(json.dumps({**fake.data(), "members": members}))


def _expiry(lab: NodeLab, token_id: str) -> str | None:
    text = sh(lab, CONTROL_PLANE, f"cat /var/lib/lab-k8s/secrets/bootstrap-token-{token_id} 2>/dev/null || true")
    found = re.search(r'expiration: "([^"]+)"', text)
    return found.group(1) if found else None


def test_a_wiped_host_is_refused_under_its_old_pin_then_rebuilt_from_scratch_and_rejoins(tmp_path: Path) -> None:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    real = _evaluate(STACK_FILE)
    with node_lab(real, HOSTS, tmp_path / "lab") as lab:
        cp_ip = str(real.spec.node(CONTROL_PLANE).ip)
        for host in HOSTS:
            install_standins(lab, host)
        seed_control_plane(lab, CONTROL_PLANE, {CONTROL_PLANE: cp_ip, NODE: str(real.spec.node(NODE).ip)},
                           [CONTROL_PLANE])
        seed_joined(lab, NODE, control_plane=False)
        # The bootstrap token's Secret as the last credentials step left it, long expired (kubeadm's token
        # cleaner deletes it then; the file here is its record).
        token = engine_text(real, real.command(f"{CONTROL_PLANE}-join-credentials-for-{NODE}").raw_inputs["stdin"])
        token_id = token.split(".", 1)[0]
        sh(lab, CONTROL_PLANE, f"mkdir -p /var/lib/lab-k8s/secrets && printf '  expiration: \"2020-01-01T00:00:00Z\""
                               f"\\n' >/var/lib/lab-k8s/secrets/bootstrap-token-{token_id}")
        management = TEST_SECRETS["consulManagementToken"]
        (tmp_path / "tls").mkdir()
        tls = _tls(tmp_path / "tls", lab.hosts[CONSUL_SERVER].root)
        fake = Fake(lab, lab.hosts[CONSUL_SERVER].namespace, tls, management, tmp_path / "consul.json")
        try:
            _set_members(fake, [{"Name": n, "Addr": str(real.spec.node(n).ip), "Status": 1}
                                for n in (CONSUL_SERVER, NODE)])
            stack = tmp_path / "Pulumi.goldentooth.yaml"
            _pinned_stack(stack, {n: host_key(lab, n) for n in HOSTS})
            before = _evaluate(stack)
            marker = before.command(f"{NODE}-leave-kubernetes-reset")  # a step that dials karstark, changing nothing
            assert run(lab, marker).returncode == 0, "the pinned key is the host's"
            others = {n: snapshot(lab.hosts[n]) for n in (CONTROL_PLANE, CONSUL_SERVER)}

            old_key = host_key(lab, NODE)
            wipe(lab, NODE)
            install_standins(lab, NODE)  # what the Kubernetes packages bring
            new_key = host_key(lab, NODE)
            assert new_key != old_key
            # The dead incarnation: Consul's servers have marked its member failed.
            _set_members(fake, [{**m, "Status": 4 if m["Name"] == NODE else 1} for m in _members(fake)])
            refused = run(lab, marker)
            assert refused.returncode == 255 and "Host key verification failed" in refused.stderr, refused.stderr

            assert cli(["rebuild", "--config", str(stack), NODE, "--host-key", new_key]) == 0
            after = _evaluate(stack)
            d = delta(before, after)
            forget = [after.command(f"{NODE}-forget-kubernetes-delete-node"),
                      after.command(f"{NODE}-forget-consul-force-leave")]
            credentials = after.command(f"{CONTROL_PLANE}-join-credentials-for-{NODE}")
            renews = credentials.urn in d.updated
            join = [after.command(f"{NODE}-kubeadm-join-config"), after.command(f"{NODE}-kubeadm-join")]
            selected = [*sorted(node_steps(after)[NODE].values(), key=lambda s: s.name),
                        *(Step(NODE, r.name, r) for r in [*forget, *([credentials] if renews else []), *join])]
            # Every one of them runs again in the `up` after the rebuild: updated (a new generation, a new pin)
            # or created (the forget steps).
            assert {s.urn for s in selected} <= d.updated | d.created
            assert {r.urn for r in forget} <= d.created

            with api_endpoint(lab, real.spec.node(real.spec.roles.haproxy).ip, real.spec.kubernetes.api_port):
                result = apply(selected, lambda s: run_step(lab, s), workers=3)
            assert result.failed is None, result.report()
            changes = result.changes()
            assert changes[f"{NODE}-forget-kubernetes-delete-node"] == [f"changed: deleted the Node {NODE}"]
            assert changes[f"{NODE}-forget-consul-force-leave"] == [
                f"changed: forced the old {NODE} out of the Consul members (status 4)"]
            assert changes[f"{NODE}-kubeadm-join"] == [f"changed: joined the cluster through "
                                                      f"{real.spec.node(real.spec.roles.haproxy).ip}:6443"]
            order = [s.resource.name for s in result.order]
            assert order.index(f"{NODE}-kubeadm-join") > max(order.index(r.name) for r in forget)
            # The old member is gone from Consul (pruned), forced out once, with the token on stdin.
            assert [m["Name"] for m in _members(fake)] == [CONSUL_SERVER]
            assert [line for line in fake.log.read_text().splitlines() if "force-leave" in line] == [
                f"PUT /v1/agent/force-leave/{NODE}?prune=1"]
            # The reflashed node joined once, as a worker, with the configured token.
            joins = sh(lab, NODE, "cat /var/lib/lab-k8s/joins").splitlines()
            assert [line.split()[1:] for line in joins] == [[token_id, "worker"]]
            assert sh(lab, NODE, "cat /etc/kubernetes/kubelet.conf").strip() == "kubeconfig"
            # The other hosts: only what the forget steps are for (the stale Node object) and the stand-ins' log.
            expected = {CONTROL_PLANE: [f"removed /var/lib/lab-k8s/nodes/{NODE}"], CONSUL_SERVER: []}
            for host, was in others.items():
                lines = [line for line in differences(was, snapshot(lab.hosts[host]))
                         if "/var/log/lab-k8s.log" not in line
                         and not (renews and "/var/lib/lab-k8s/secrets/" in line)]
                assert lines == expected[host], (host, lines)
            # A second run of the forget steps (the engine retrying) changes nothing.
            again = [run(lab, r) for r in forget]
            assert [(o.returncode, o.changes) for o in again] == [(0, [])] * 2, [o.stderr for o in again]
            # Fresh credentials: the init node renewed the token for the new incarnation's join.
            joined_at = int(joins[0].split()[0]) // 1_000_000_000
            expiry = _expiry(lab, token_id)
            assert renews, "a rebuild must re-run the init node's join-credentials step"
            assert expiry is not None and _epoch(expiry) > joined_at
        finally:
            fake.stop()


def _epoch(stamp: str) -> int:
    return int(datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC).timestamp())


