"""Lab: Debian's munged, slurmctld and slurmd (22.05.8, the cluster's version) run from the slurm.conf, cgroup.conf
and gres.conf the program renders for each node, in lab hosts at the inventory addresses whose hostname is the
NodeName (tests/lab/slurm_lab.py). Every compute lab host registers idle, `srun` reaches each one once, a host
with another munge key is refused, and stopping the primary controller hands the cluster to the first backup
through the shared state directory.

The controllers plus two compute nodes by default (two shared cores); `GOLDENTOOTH_BATCH_LAB_NODES=all` runs
every Slurm node, a comma-separated list adds those compute nodes to the controllers. Needs root, iproute2,
util-linux and the Slurm and munge packages (.ci/debian-packages.txt); skipped otherwise, except under CI=true.
"""

import base64
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from batch.contributions import contributions
from batch.slurm.component import slurm_members
from batch.slurm.conf import CGROUP_CONF, GRES_CONF, LOG_DIR, SLURM_CONF, SLURMD_SPOOL
from components.script import Script, render
from config.spec import ClusterSpec
from offline.evaluate import Evaluation
from tests.conftest import ROOT
from tests.lab.namespaces import Network
from tests.lab.slurm_lab import SlurmHost, SlurmLab, overlay, wait

pytestmark = pytest.mark.lab

NODES_ENV = "GOLDENTOOTH_BATCH_LAB_NODES"
TOOLS = ("ip", "nsenter", "unshare", "setpriv", "munged", "munge", "unmunge", "slurmctld", "slurmd", "sinfo",
         "srun", "scontrol")


def _prerequisites() -> str | None:
    if os.geteuid() != 0:
        return "needs root for namespaces"
    missing = [t for t in TOOLS if shutil.which(t) is None and not Path(f"/usr/sbin/{t}").exists()]
    return f"needs {', '.join(missing)}" if missing else None


def lab_nodes(spec: ClusterSpec) -> list[str]:
    roles = spec.roles.slurm
    assert roles is not None
    members = slurm_members(spec)
    wanted = os.environ.get(NODES_ENV, "").strip()
    if wanted == "all":
        return list(members)
    if wanted:
        extra = {n.strip() for n in wanted.split(",") if n.strip()}
        unknown = extra - set(roles.compute)
        assert not unknown, f"{NODES_ENV}: {sorted(unknown)} are not Slurm compute nodes"
    else:
        extra = set([n for n in roles.compute if n not in roles.controllers][:2])
    return [n for n in members if n in roles.controllers or n in extra]


def _idle(host: SlurmHost, nodes: list[str]) -> bool:
    done = host.run("sinfo", "-h", "-N", "-o", "%N %T", check=False)
    states = dict(line.split() for line in done.stdout.splitlines() if line.strip())
    return all(states.get(n) == "idle" for n in nodes)


def _step_with_running_units(host: SlurmHost, step: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run a rendered step where its units already run: a `systemctl` that answers enabled and active for
    every unit (there is no systemd in a lab host; the daemons were started directly)."""
    stub = tmp_path / "running-units"
    stub.mkdir(exist_ok=True)
    (stub / "systemctl").write_text("#!/bin/sh\nexit 0\n")
    (stub / "systemctl").chmod(0o755)
    (tmp_path / "step.sh").write_text(step)
    return host.run("env", f"PATH={stub}:{os.environ['PATH']}", "bash", str(tmp_path / "step.sh"), check=False,
                    timeout=180)


def _ping(host: SlurmHost) -> str:
    return host.run("scontrol", "ping", check=False).stdout


def test_slurm_schedules_fails_over_and_refuses_a_foreign_munge_key(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    reason = _prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Slurm lab cannot run under CI: {reason}")
        pytest.skip(reason)
    spec = real_evaluation.spec
    assert spec.batch is not None and spec.batch.slurm is not None and spec.roles.slurm is not None
    settings, roles = spec.batch.slurm, spec.roles.slurm
    files = {(f.node, f.path): f.content for f in real_evaluation.files}
    names = lab_nodes(spec)
    compute = [n for n in names if n in roles.compute]
    # A key of the generated one's shape (pulumi-random's 128 bytes): the mock monitor has no random bytes.
    key = os.urandom(128)

    network = Network(spec.network.nodes)
    lab = SlurmLab(network, tmp_path)
    try:
        network.up()
        hosts = {}
        for name in names:
            host = hosts[name] = lab.add(name, str(spec.node(name).ip))
            conf = files[(name, SLURM_CONF)]
            lab.install(host, SLURM_CONF, overlay(conf).encode(), "0644", "root")
            for path in (CGROUP_CONF, GRES_CONF):
                lab.install(host, path, files[(name, path)].encode(), "0644", "root")
            lab.directory(host, SLURMD_SPOOL, "0755", "slurm")
            lab.directory(host, LOG_DIR, "0755", "slurm")
            if name in roles.controllers:
                lab.share_state(host, settings.shared_root)
                lab.directory(host, settings.state_save_location, "0755", "slurm")
            lab.start_munge(host, key)
        primary = hosts[roles.controllers[0]]
        primary.start("slurmctld", "/usr/sbin/slurmctld", "-D", log=tmp_path / f"{primary.name}-slurmctld.log")
        wait(lambda: f"at {primary.name} is UP" in _ping(primary), "the primary slurmctld", timeout=60)
        check = contributions(spec).quorum_checks[0]
        assert primary.run("bash", "-c", check.command, check=False).returncode == 0, "the controllers' check failed"
        # The start step on the running primary, with the backups not started yet: it finds its own controller's
        # answer in `scontrol ping` and changes nothing.
        start = _step_with_running_units(primary, files[(primary.name, "_steps/slurm-start.sh")], tmp_path)
        assert start.returncode == 0 and "changed:" not in start.stdout, start.stdout + start.stderr
        for name in roles.controllers[1:]:
            hosts[name].start("slurmctld", "/usr/sbin/slurmctld", "-D", log=tmp_path / f"{name}-slurmctld.log")
        for name in compute:
            hosts[name].start("slurmd", "/usr/sbin/slurmd", "-D", log=tmp_path / f"{name}-slurmd.log")

        wait(lambda: _idle(primary, compute), f"{compute} idle in sinfo", timeout=90)
        ran = primary.run("srun", "-N", str(len(compute)), "-w", ",".join(compute), "hostname", timeout=120)
        assert sorted(ran.stdout.split()) == sorted(compute), ran.stdout + ran.stderr

        # A node with another key: its credentials do not decode on the controllers, and Slurm refuses it.
        rogue = hosts[compute[-1]]
        rogue.stop("slurmd")
        rogue.stop("munged")
        lab.start_munge(rogue, os.urandom(128))
        log = tmp_path / primary.name / LOG_DIR.lstrip("/") / "slurmctld.log"
        before = log.read_text().count("Protocol authentication error")
        refused = rogue.run("sinfo", check=False)
        assert refused.returncode != 0, refused.stdout
        # slurmctld drops the connection (the client sees zero bytes) and logs why.
        wait(lambda: log.read_text().count("Protocol authentication error") > before,
             "the primary logging the refused credential", timeout=15)
        credential = rogue.run("munge", "-n").stdout
        decoded = primary.run("bash", "-c", 'unmunge <<<"$1"', "unmunge", credential, check=False)
        assert decoded.returncode != 0 and "invalid credential" in decoded.stderr.lower(), decoded.stderr
        members = [n for n in compute if n != rogue.name]
        # Seen from the node no controller accepts, no controller is up: the controllers' check fails there.
        assert rogue.run("bash", "-c", check.command, check=False).returncode == 1

        # The generated-key step on a node that holds another key: it stops, names the file, changes nothing.
        step = files[(rogue.name, "_steps/munge.sh")]
        script = tmp_path / "munge-step.sh"
        script.write_text(step)
        held = rogue.run("sha256sum", "/etc/munge/munge.key").stdout
        adopted = subprocess.run(rogue.command("bash", str(script)), input=base64.b64encode(key).decode(),
                                 capture_output=True, text=True, timeout=60)
        assert adopted.returncode != 0 and "/etc/munge/munge.key holds another munge key" in adopted.stderr, \
            adopted.stdout + adopted.stderr
        assert "changed:" not in adopted.stdout
        assert rogue.run("sha256sum", "/etc/munge/munge.key").stdout == held

        # The leave step drains the node on the primary; run again, it has nothing to do.
        leave = next(s for s in contributions(spec).leave_steps if s.node == rogue.name)
        drain = tmp_path / "drain.sh"
        drain.write_text(render(Script(ROOT / leave.script), dict(leave.params), f"{leave.run_on}/leave"))
        first = primary.run("bash", str(drain))
        assert f"changed: drained {rogue.name}" in first.stdout, first.stdout + first.stderr
        state = primary.run("sinfo", "-h", "-n", rogue.name, "-o", "%T").stdout.split()
        assert state and all(s.startswith("drain") for s in state), state
        again = primary.run("bash", str(drain))
        assert "changed:" not in again.stdout, again.stdout

        # Failover: the first backup takes over from the shared StateSaveLocation once the primary is silent
        # for SlurmctldTimeout, and schedules on the same nodes.
        backup = roles.controllers[1]
        backup_log = tmp_path / backup / LOG_DIR.lstrip("/") / "slurmctld.log"
        primary.stop("slurmctld")
        observer = hosts[backup]
        started = time.monotonic()
        wait(lambda: f"{backup} taking over" in backup_log.read_text(), f"{backup} taking over",
             timeout=settings.slurmctld_timeout + 90)
        took = time.monotonic() - started
        pinged = _ping(observer)
        assert f"at {primary.name} is DOWN" in pinged and f"at {backup} is UP" in pinged, pinged
        check = contributions(spec).quorum_checks[0]
        assert observer.run("bash", "-c", check.command, check=False).returncode == 0, "the controllers' check failed"
        # The job the primary ran is in the state the backup recovered: the directory is really shared.
        wait(lambda: "Recovered JobId=1 " in backup_log.read_text(), f"{backup} recovering the primary's jobs")
        ran = observer.run("srun", "-N", str(len(members)), "-w", ",".join(members), "hostname", timeout=120)
        assert sorted(ran.stdout.split()) == sorted(members), ran.stdout + ran.stderr
        assert any(lab.shared_state.iterdir()), "the controllers' shared state directory stayed empty"
        print(f"slurm lab: {len(compute)} compute hosts idle, backup {backup} took over after {took:.0f}s")
    finally:
        lab.down()
        network.down()
