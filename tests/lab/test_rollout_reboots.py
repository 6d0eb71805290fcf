"""The rollout's reboots over real SSH (issue 11 item 4): the three control-plane nodes, seeded like the live
cluster (an etcd member on each, answering on its client URL with kubeadm's certificate layout; the Ansible-era
config.txt), reboot one at a time, each only after the etcd quorum check passed on bettley. The check is the
registered one (curl to every member's `/health`); the members are `fake_etcd.py` (tests/lab/README.md: no etcd
here), a real service of the lab host that starts a few seconds after each boot, as a rejoining member does.

A member reporting unhealthy makes the next reboot wait, and fail after `rollout.healthTimeoutSeconds` with a
message naming the quorum, the node about to reboot and the check; nothing reboots. Once healthy, the same run
goes on. The drains and uncordons run too; the lab has no Kubernetes API (no admin.conf), so they say so and
leave the nodes alone (their kubectl calls are not proven here).
"""

import copy
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from offline.evaluate import Evaluation, evaluate
from tests.conftest import fake_secret_values
from tests.lab.apply import Run, apply
from tests.lab.lab_ca import LabCa
from tests.lab.node_lab import NodeLab, node_lab, prerequisites
from tests.lab.ssh import Outcome
from tests.nodes_support import COMMAND, Step, node_steps
from tests.rollout_support import plan_of

pytestmark = pytest.mark.lab
MEMBERS = ("bettley", "cargyll", "dalt")
RUN_ON = "bettley"
OS_STEPS = ("firmware", "cmdline", "reboot-check", "wait-fresh-boot", "reboot", "wait-boot")
PLACEHOLDER = "[placeholder stdout of {}]"
ETCD_PKI = "etc/kubernetes/pki/etcd"
UNHEALTHY = "/etc/lab-etcd/unhealthy"
START_DELAY_SECONDS = 4  # the fake member answers this long after its boot
LAB = Path(__file__).resolve().parent


def _evaluate(real_plain: dict[str, Any], timeout: int) -> Evaluation:
    plain = copy.deepcopy(real_plain)
    plain["rollout"] = {"healthTimeoutSeconds": timeout, "healthIntervalSeconds": 1}
    return evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"})


def rollout_steps(ev: Evaluation) -> list[Step]:
    """The members' boot-file and reboot steps, and every rollout step (gate, drain, uncordon) for a member."""
    by_node = node_steps(ev)
    steps = [by_node[n][s] for n in MEMBERS for s in OS_STEPS]
    ips = {str(ev.spec.node(n).ip): n for n in MEMBERS}
    for r in ev.resources:
        if r.type != COMMAND or not r.parent.endswith("goldentooth:rollout:Rollout::rollout"):
            continue
        node = ips.get(str(r.raw_inputs["connection"]["host"]))
        if node is not None and r.name.endswith(tuple(f"-{m}" for m in MEMBERS)):
            steps.append(Step(node, r.name.removeprefix(f"{node}-"), r))
    return sorted(steps, key=lambda s: s.resource.name)


@dataclass
class Recorder:
    """Runs steps as the engine would: stdin from the real stdout of the step it names; start/end times kept."""

    lab: NodeLab
    stdout: dict[str, str] = field(default_factory=dict)
    times: dict[str, tuple[float, float]] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def run(self, step: Step) -> Outcome:
        stdin = step.stdin
        if stdin is not None:
            for name, out in self.stdout.items():
                stdin = stdin.replace(PLACEHOLDER.format(name), out)
            assert "[placeholder stdout" not in stdin, f"{step.resource.name} reads a step that has not run"
        connection = step.connection
        started = time.monotonic()
        outcome = self.lab.client.run(str(connection["user"]), str(connection["host"]), step.create, stdin=stdin,
                                      dial_error_limit=int(connection.get("dialErrorLimit", 10)),
                                      per_dial_timeout=float(connection.get("perDialTimeout", 15)))
        self.times[step.resource.name] = (started, time.monotonic())
        self.outcomes[step.resource.name] = outcome
        if outcome.returncode == 0:
            self.stdout[step.resource.name] = outcome.stdout
        return outcome

    def apply(self, steps: list[Step]) -> Run:
        return apply(steps, self.run, workers=4)


def _seed(lab: NodeLab, work: Path) -> None:
    """kubeadm's etcd certificate layout and kubelet.conf on every member (in service: it reboots in its window,
    not at once as a fresh node would), a fake member as an enabled service, bettley's manifest."""
    ca = LabCa.create(work)
    client_cert, client_key = ca.issue("healthcheck-client", "kube-etcd-healthcheck-client", "DNS:localhost")
    for name, host in lab.hosts.items():
        ip = str(lab.ev.spec.node(name).ip)
        server_cert, server_key = ca.issue(f"server-{name}", name, f"DNS:{name},IP:{ip},IP:127.0.0.1")
        pki = host.root / ETCD_PKI
        pki.mkdir(parents=True, exist_ok=True)
        (host.root / "etc/kubernetes/kubelet.conf").write_text("# the live node's kubelet.conf\n", encoding="utf-8")
        for source, target in ((ca.cert, "ca.crt"), (client_cert, "healthcheck-client.crt"),
                               (client_key, "healthcheck-client.key"), (server_cert, "server.crt"),
                               (server_key, "server.key")):
            shutil.copy(source, pki / target)
        (host.root / "opt/lab").mkdir(parents=True, exist_ok=True)
        shutil.copy(LAB / "fake_etcd.py", host.root / "opt/lab/fake_etcd.py")
        (host.root / "etc/lab-etcd").mkdir(parents=True, exist_ok=True)
        (host.root / "etc/systemd/system/lab-etcd.service").write_text(
            "[Service]\n"
            f"ExecStart=/usr/bin/python3 /opt/lab/fake_etcd.py {ip} /{ETCD_PKI}/server.crt /{ETCD_PKI}/server.key "
            f"/{ETCD_PKI}/ca.crt {UNHEALTHY} {START_DELAY_SECONDS}\n", encoding="utf-8")
        (host.root / "var/lib/lab-systemd/enabled/lab-etcd.service").touch()
        (host.root / "etc/lab-host").mkdir(parents=True, exist_ok=True)
        (host.root / "etc/lab-host/real-units").write_text("lab-etcd.service\n", encoding="utf-8")
        started = lab.sh(name, "systemctl start lab-etcd.service")
        assert started.returncode == 0, started.stderr
    manifests = lab.hosts[RUN_ON].root / "etc/kubernetes/manifests"
    manifests.mkdir(parents=True, exist_ok=True)
    (manifests / "etcd.yaml").write_text("# the live cluster's static pod (the quorum exists)\n", encoding="utf-8")


def _gate(member: str) -> str:
    return f"{RUN_ON}-etcd-healthy-before-{member}"


@dataclass
class RolloutLab:
    lab: NodeLab
    failed: Run
    failed_recorder: Recorder
    boots_after_failure: dict[str, int]
    healed_at: float  # time.monotonic() when dalt's member reported healthy again
    converged: Run
    recorder: Recorder
    second: Run
    second_recorder: Recorder
    order: list[str]  # the members in window order


@pytest.fixture(scope="module")
def rollout_lab(real_plain: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[RolloutLab]:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the SSH lab, but {reason}")
        pytest.skip(reason)
    short, long = _evaluate(real_plain, 8), _evaluate(real_plain, 60)
    windows = plan_of(long)
    order = sorted(MEMBERS, key=lambda m: windows.window_of(m) or 0)
    work = tmp_path_factory.mktemp("rollout-lab")
    with node_lab(short, list(MEMBERS), work / "hosts") as lab:
        _seed(lab, work)
        # 1. dalt's member reports unhealthy: the first reboot waits for the quorum, then gives up; nothing reboots
        (lab.hosts["dalt"].root / UNHEALTHY.lstrip("/")).touch()
        failed_recorder = Recorder(lab)
        failed = failed_recorder.apply(rollout_steps(short))
        boots_after_failure = {name: len(host.boots()) for name, host in lab.hosts.items()}
        # 2. the same member recovers while the next run waits: the reboots go on, one member at a time
        healed: list[float] = []

        def heal() -> None:
            (lab.hosts["dalt"].root / UNHEALTHY.lstrip("/")).unlink()
            healed.append(time.monotonic())

        timer = threading.Timer(6.0, heal)
        recorder = Recorder(lab)
        timer.start()
        converged = recorder.apply(rollout_steps(long))
        timer.join()
        # 3. again: nothing reboots, every gate and drain stands aside
        second_recorder = Recorder(lab)
        second = second_recorder.apply(rollout_steps(long))
        yield RolloutLab(lab, failed, failed_recorder, boots_after_failure, healed[0], converged, recorder, second, second_recorder,
                         order)


def test_an_unhealthy_member_makes_the_next_reboot_wait_then_fail_naming_node_and_check(
    rollout_lab: RolloutLab,
) -> None:
    first = rollout_lab.order[0]
    run, recorder = rollout_lab.failed, rollout_lab.failed_recorder
    assert run.failed is not None and run.failed.resource.name == _gate(first), run.report()
    outcome = recorder.outcomes[_gate(first)]
    assert "quorum etcd is not healthy after 8s" in outcome.stderr
    assert f"stopping before the reboot of {first}" in outcome.stderr and f"on {RUN_ON}" in outcome.stderr
    assert "check: curl" in outcome.stderr and "https://10.4.0.13:2379/health" in outcome.stderr
    assert outcome.seconds >= 8
    for name in MEMBERS:  # nobody went down
        assert rollout_lab.boots_after_failure[name] == 1, name
        assert f"{name}-reboot" not in recorder.outcomes


def test_members_reboot_one_at_a_time_each_after_the_quorum_check_passed(rollout_lab: RolloutLab) -> None:
    run, recorder, order = rollout_lab.converged, rollout_lab.recorder, rollout_lab.order
    assert run.failed is None, run.report()
    times = recorder.times
    for name in MEMBERS:
        assert len(rollout_lab.lab.hosts[name].boots()) == 2, name
        assert "rebooted: boot" in recorder.outcomes[f"{name}-wait-boot"].stdout
    # the first gate was already waiting when dalt's member recovered, and let the reboot go only after that
    first_gate = recorder.outcomes[_gate(order[0])]
    assert "not healthy yet" in first_gate.stdout and "quorum etcd healthy" in first_gate.stdout
    assert times[_gate(order[0])][0] < rollout_lab.healed_at <= times[_gate(order[0])][1]
    for index, member in enumerate(order):
        gate = _gate(member)
        assert "quorum etcd healthy" in recorder.outcomes[gate].stdout
        assert times[gate][1] <= times[f"{member}-reboot"][0], member
        if index > 0:
            previous = order[index - 1]
            # the previous member was back on SSH first, and its etcd answered only later: the gate waited for it
            assert times[f"{previous}-wait-boot"][1] <= times[gate][0], (previous, member)
            assert "not healthy yet" in recorder.outcomes[gate].stdout, recorder.outcomes[gate].stdout
    # never two members down at once: [reboot start, wait-boot end] do not overlap
    spans = sorted((times[f"{m}-reboot"][0], times[f"{m}-wait-boot"][1]) for m in MEMBERS)
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start
    # the Slurm controllers' gate ran too, and stood aside: slurmctld is not set up on these hosts
    for member in MEMBERS:
        assert "is not set up on bettley yet" in recorder.outcomes[f"{RUN_ON}-slurm-controllers-healthy-before-{member}"].stdout
    # the drains ran before each reboot and stood aside: the lab has no Kubernetes API
    for member in MEMBERS:
        drain = recorder.outcomes[f"{RUN_ON}-reboot-drain-{member}"]
        assert "no cluster to drain" in drain.stdout
        assert times[f"{RUN_ON}-reboot-drain-{member}"][1] <= times[f"{member}-reboot"][0]


def test_a_second_run_reboots_nothing_and_changes_nothing(rollout_lab: RolloutLab) -> None:
    run, recorder = rollout_lab.second, rollout_lab.second_recorder
    assert run.failed is None, run.report()
    assert run.changes() == {}
    for name in MEMBERS:
        assert len(rollout_lab.lab.hosts[name].boots()) == 2, name
        assert "does not reboot" in recorder.outcomes[_gate(name)].stdout
