"""Lab: a rebuilt ZFS replica answers with a new host key, and the primary's syncoid SSH (accept-new, its own
known-hosts file, storage/zfs/units.py) refuses it as changed until the forget step the lifecycle layer runs for the
new generation (storage/zfs/forget_host_key.sh, on the primary) drops the old key; then the new one is recorded.

Real OpenSSH on both hosts; the rebuild is modelled by a new sshd host key on the replica (the rest of a rebuild is
tests/lab/test_lifecycle_rebuild_lab.py's). The step runs as registered for `lifecycle.generations.gardener: 1`."""

import copy
import os
from collections.abc import Iterator
from typing import Any

import pytest

from offline.evaluate import Evaluation
from storage.zfs.units import KEY_PATH, KNOWN_HOSTS
from tests.conftest import evaluate_shared
from tests.lab.node_lab import NodeLab, node_lab, prerequisites
from tests.lab.ssh import Outcome
from tests.nodes_support import Step

pytestmark = pytest.mark.lab
PRIMARY, REPLICA = "allyrion", "gardener"


@pytest.fixture(scope="module")
def rebuilt(real_plain: dict[str, Any], real_evaluation: Evaluation,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the SSH lab, but {reason}")
        pytest.skip(reason)
    plain = copy.deepcopy(real_plain)
    plain["lifecycle"] = {"generations": {REPLICA: 1}}
    ev = evaluate_shared(plain)
    forget = Step(PRIMARY, "forget", ev.command(f"{REPLICA}-forget-zfs-forget-host-key"))
    address = str(ev.spec.node(REPLICA).ip)
    ssh = (f"ssh -i {KEY_PATH} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new "
           f"-o UserKnownHostsFile={KNOWN_HOSTS} root@{address} true")
    facts: dict[str, Any] = {"address": address}
    with node_lab(real_evaluation, [PRIMARY, REPLICA], tmp_path_factory.mktemp("zfs-rebuild")) as lab:
        _setup(lab)
        facts["first"] = lab.sh(PRIMARY, ssh)
        facts["recorded"] = _known(lab)
        # The rebuild: the reflashed replica's sshd has a new host key (its authorized_keys come back with its steps).
        _ok(lab.sh(REPLICA, "rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub && "
                            "ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key"))
        facts["refused"] = lab.sh(PRIMARY, ssh)
        facts["forget"] = lab.run_step(forget)
        facts["forget_again"] = lab.run_step(forget)  # an engine retry of the step: nothing left to forget
        facts["after"] = lab.sh(PRIMARY, ssh)
        facts["relearned"] = _known(lab)
        yield facts


def _ok(outcome: Outcome) -> Outcome:
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    return outcome


def _setup(lab: NodeLab) -> None:
    """The primary's replication key authorized on the replica, as the ZFS steps leave them (tests/lab/test_zfs.py
    converges those for real)."""
    _ok(lab.sh(PRIMARY, f"mkdir -p /var/lib/goldentooth/zfs /root/.ssh && chmod 0700 /var/lib/goldentooth/zfs && "
                        f"ssh-keygen -q -t ed25519 -N '' -C replication -f {KEY_PATH}"))
    public = _ok(lab.sh(PRIMARY, f"cat {KEY_PATH}.pub")).stdout.strip()
    _ok(lab.sh(REPLICA, f"mkdir -p /root/.ssh && printf '%s\\n' '{public}' >> /root/.ssh/authorized_keys"))


def _known(lab: NodeLab) -> str:
    return _ok(lab.sh(PRIMARY, f"cat {KNOWN_HOSTS}")).stdout


def test_the_rebuilt_replicas_new_key_is_refused_under_the_old_one(rebuilt: dict[str, Any]) -> None:
    assert rebuilt["first"].returncode == 0, rebuilt["first"].stderr
    assert rebuilt["address"] in rebuilt["recorded"]
    refused = rebuilt["refused"]
    assert refused.returncode != 0 and "REMOTE HOST IDENTIFICATION HAS CHANGED" in refused.stderr, refused.stderr


def test_the_forget_step_drops_the_old_key_once_and_the_new_one_is_recorded(rebuilt: dict[str, Any]) -> None:
    forget = _ok(rebuilt["forget"])
    assert forget.changes == [f"changed: forgot {rebuilt['address']}'s old host key in {KNOWN_HOSTS}"], forget.changes
    assert _ok(rebuilt["forget_again"]).changes == []
    assert rebuilt["after"].returncode == 0, rebuilt["after"].stderr
    assert rebuilt["address"] in rebuilt["relearned"] and rebuilt["relearned"] != rebuilt["recorded"]
