"""The batch layer (batch/): Slurm's files from the inventory, the munge key's delivery, the `slurmd -C` check
with the real slurmd, Lmod loading the module files, the real shellcheck and systemd-analyze on every step and
unit with every part switched on, and the contributions other layers build from."""

import copy
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from batch.contributions import DRAIN_SCRIPT, contributions
from batch.ray.component import unit_text as ray_unit
from batch.slurm.component import restart_command
from batch.slurm.conf import SLURM_CONF, SLURMCTLD_PID, SLURMD_PID, compute_nodes
from batch.slurm.modules import module_files
from components.script import Script, render
from config.batch import real_memory_mib
from config.spec import ClusterSpec
from offline.evaluate import Evaluation
from tests.conftest import ROOT, evaluate_shared
from tests.test_systemd_units import _root, _systemd_analyze

BATCH = ROOT / "batch"
# MemTotal a 4 GB Pi 4 reports (reference §6.1): a RealMemory above it makes slurmctld mark the node invalid.
PI4_4GB_REPORTED_MIB = 3797
DEBIAN_UNITS = Path("/usr/lib/systemd/system")


def everything_on(plain: dict[str, Any]) -> dict[str, Any]:
    """The real stack with the parts that are off there switched on (checksums are test values)."""
    plain = copy.deepcopy(plain)
    batch = plain["batch"]
    batch["slurm"]["accounting"] = {"node": "bettley"}
    batch["slurm"]["exporter"] = {"version": "1.6.10", "sha256": {"arm64": "b" * 64}}
    batch["ollama"] = {"version": "0.11.4", "sha256": {"amd64": "a" * 64}}
    return plain


@pytest.fixture(scope="module")
def all_on(real_plain: dict[str, Any]) -> Evaluation:
    return evaluate_shared(everything_on(real_plain))


def _missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is not installed (.ci/debian-packages.txt lists it)")
    pytest.skip(f"{what} is not installed")


def _tool(name: str) -> str:
    path = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)
    if path is None:
        _missing(name)
    assert path is not None
    return path


def _conf(ev: Evaluation, node: str) -> str:
    return next(f.content for f in ev.files if f.node == node and f.path == SLURM_CONF)


# --- slurm.conf from the inventory ----------------------------------------------------------------------------


def test_every_slurm_node_gets_the_same_slurm_conf(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    assert spec.roles.slurm is not None
    confs = {f.node: f.content for f in real_evaluation.files if f.path == SLURM_CONF}
    assert set(confs) == set(spec.roles.slurm.controllers) | set(spec.roles.slurm.compute)
    assert len(set(confs.values())) == 1


def test_controllers_in_role_order_and_one_node_line_per_compute_node(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    assert spec.roles.slurm is not None
    conf = _conf(real_evaluation, "bettley")
    controllers = re.findall(r"^SlurmctldHost=(\w+)\((\S+)\)$", conf, re.MULTILINE)
    assert controllers == [(n, str(spec.node(n).ip)) for n in spec.roles.slurm.controllers]
    lines = re.findall(r"^NodeName=(\w+) NodeAddr=(\S+) CPUs=(\d+) .*RealMemory=(\d+)", conf, re.MULTILINE)
    lines = [line for line in lines if line[0] != "DEFAULT"]
    assert [line[0] for line in lines] == list(spec.roles.slurm.compute)
    for name, address, cpus, memory in lines:
        node = spec.node(name)
        assert address == str(node.ip)
        assert int(cpus) == 4  # every board in the zoo is quad-core
        assert node.memory_gb is not None and int(memory) < node.memory_gb * 1024


def test_real_memory_stays_below_what_a_4gb_pi_reports_for_every_allowed_margin(real_evaluation: Evaluation) -> None:
    """The fixed RealMemory=4096 once broke the 4 GB Pis; the smallest margin the config allows must not."""
    spec = real_evaluation.spec
    karstark = spec.node("karstark")
    assert karstark.memory_gb == 4
    for margin in range(8, 51):  # config/batch.py's bounds for realMemoryMarginPercent
        memory = real_memory_mib(karstark, margin)
        assert memory is not None and memory <= PI4_4GB_REPORTED_MIB, margin
    assert (real_memory_mib(karstark, 7) or 0) > PI4_4GB_REPORTED_MIB - 30, "the lower bound is not arbitrary"


def test_production_enforces_cgroups_and_writes_the_pid_files_debians_units_wait_for(
    real_evaluation: Evaluation,
) -> None:
    conf = _conf(real_evaluation, "bettley")
    assert "TaskPlugin=task/cgroup,task/affinity\n" in conf
    assert "ProctrackType=proctrack/cgroup\n" in conf
    assert "ReturnToService=2\n" in conf
    assert "PartitionName=general Nodes=ALL Default=YES\n" in conf
    assert "PartitionName=debug Nodes=ALL Default=NO\n" in conf
    assert f"SlurmctldPidFile={SLURMCTLD_PID}\n" in conf and f"SlurmdPidFile={SLURMD_PID}\n" in conf
    units = {"slurmctld.service": SLURMCTLD_PID, "slurmd.service": SLURMD_PID}
    if not all((DEBIAN_UNITS / u).exists() for u in units):
        _missing("Debian's slurmctld and slurmd units")
    for unit, pid in units.items():
        assert f"PIDFile={pid}\n" in (DEBIAN_UNITS / unit).read_text(), unit


# --- munge key ------------------------------------------------------------------------------------------------


def test_the_munge_key_is_one_generated_secret_delivered_on_stdin(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    keys = [r for r in real_evaluation.resources if r.type == "random:index/randomBytes:RandomBytes"
            and r.name == "munge-key"]
    assert len(keys) == 1 and keys[0].protect
    steps = {r.name: r for r in real_evaluation.resources if r.name.endswith("-munge")}
    assert spec.roles.slurm is not None
    assert set(steps) == {f"{n}-munge" for n in {*spec.roles.slurm.controllers, *spec.roles.slurm.compute}}
    for step in steps.values():
        assert step.inputs["stdin"] == "[secret]"
        assert step.inputs["logging"] == "none"


def _run_step(script: str, params: dict[str, str], tmp_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    text = render(Script.beside(str(BATCH / "slurm" / "x"), script), params, f"test/{script}")
    path = tmp_path / script
    path.write_text(text)
    return subprocess.run(["bash", str(path)], input=stdin, capture_output=True, text=True, timeout=60)


def test_the_node_check_refuses_a_node_that_has_less_than_slurm_conf_promises(tmp_path: Path) -> None:
    """Run against the real `slurmd -C` of this machine: a Pi's promise (4 CPUs) is more than it has."""
    _tool("slurmd")
    found = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout
    cpus = int(re.search(r"CPUs=(\d+)", found).group(1))  # type: ignore[union-attr]
    memory = int(re.search(r"RealMemory=(\d+)", found).group(1))  # type: ignore[union-attr]
    ok = _run_step("check_node.sh", {"GT_NODE_NAME": "here", "GT_CPUS": str(cpus), "GT_REAL_MEMORY": str(memory)},
                   tmp_path)
    assert ok.returncode == 0 and "changed:" not in ok.stdout, ok.stderr
    more = _run_step("check_node.sh", {"GT_NODE_NAME": "here", "GT_CPUS": str(cpus + 2),
                                       "GT_REAL_MEMORY": str(memory + 1)}, tmp_path)
    assert more.returncode != 0
    assert f"CPUs={cpus + 2} but slurmd finds {cpus}" in more.stderr
    assert f"RealMemory={memory + 1} MiB but slurmd finds {memory} MiB" in more.stderr
    assert "refusing to start slurmd" in more.stderr


# --- Lmod -----------------------------------------------------------------------------------------------------


def test_lmod_loads_the_module_files_as_written(real_evaluation: Evaluation, tmp_path: Path) -> None:
    lmod = Path("/usr/share/lmod/lmod/libexec/lmod")
    if not lmod.exists():
        _missing("Debian's lmod")
    spec = real_evaluation.spec
    assert spec.batch is not None and spec.batch.slurm is not None
    for relative, text in module_files(spec, spec.batch.slurm).items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "MODULEPATH": str(tmp_path)}
    done = subprocess.run([str(lmod), "bash", "load", "StdEnv", "OpenMPI"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0 and "error" not in done.stderr.lower(), done.stderr
    assert "GOLDENTOOTH_CLUSTER=goldentooth" in done.stdout.replace("'", "").replace('"', "")
    assert "OMPI_MCA_btl_vader_single_copy_mechanism=none" in done.stdout.replace("'", "").replace('"', "")
    # The module files on the node are the same text, written once by the first controller.
    written = {f.path: f.content for f in real_evaluation.files if f.node == spec.roles.slurm.controllers[0]
               and "/apps/modulefiles/" in f.path} if spec.roles.slurm else {}
    assert sorted(Path(p).name for p in written) == sorted(module_files(spec, spec.batch.slurm))


# --- real tools on every artifact, with every part on ---------------------------------------------------------


def test_every_batch_step_passes_shellcheck_and_every_batch_script_is_used(all_on: Evaluation, tmp_path: Path) -> None:
    shellcheck = _tool("shellcheck")
    ours = [f for f in all_on.files if f.path.startswith("_steps/") and "generated from batch/" in f.content]
    used = {re.search(r"generated from (batch/\S+\.sh);", f.content).group(1) for f in ours}  # type: ignore[union-attr]
    # The leave step (DRAIN_SCRIPT) is rendered too: the lifecycle layer registers it as a delete.
    assert used == {str(p.relative_to(ROOT)) for p in BATCH.rglob("*.sh")}
    distinct = {f.content: f for f in ours}
    paths = []
    for index, f in enumerate(distinct.values()):
        path = tmp_path / f"{index}-{Path(f.path).name}"
        path.write_text(f.content)
        paths.append(str(path))
    done = subprocess.run([shellcheck, "--shell=bash", "--format=gcc", *paths], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_batch_unit_passes_systemd_analyze_verify(all_on: Evaluation, tmp_path: Path) -> None:
    analyze = _systemd_analyze()
    names = ("ray.service", "ollama.service", "slurm-exporter.service")
    by_node: dict[str, list[Any]] = {}
    for f in all_on.files:
        if Path(f.path).name in names:
            by_node.setdefault(f.node, []).append(f)
    assert {"erenford", "velaryon", "bettley"} <= set(by_node)
    seen: set[tuple[tuple[str, str], ...]] = set()
    problems = []
    for node, files in sorted(by_node.items()):
        key = tuple(sorted((f.path, f.content) for f in files))
        if key in seen:
            continue
        seen.add(key)
        stubbed: set[str] = set()
        root, units = _root(tmp_path / node, files, stubbed)
        done = subprocess.run([analyze, "verify", "--man=no", f"--root={root}", *units], capture_output=True,
                              text=True, cwd=root)
        report = (done.stdout + done.stderr).strip()
        if done.returncode != 0 or report:
            problems.append(f"{node}: {units}\n{report}")
    assert not problems, "\n\n".join(problems)


def test_ray_units_start_the_pinned_environment_and_never_order_after_multi_user(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    assert spec.batch is not None and spec.batch.ray is not None and spec.roles.ray is not None
    head = ray_unit(spec, spec.batch.ray, spec.roles.ray.head)
    assert "ExecStart=/opt/ray/2.46.0/bin/ray start --head" in head
    assert f"--dashboard-host={spec.node(spec.roles.ray.head).ip}" in head
    worker = ray_unit(spec, spec.batch.ray, "velaryon")
    assert f"--address={spec.node(spec.roles.ray.head).ip}:6379" in worker and "--num-gpus=1" in worker
    assert "multi-user.target" not in head.split("[Install]")[0]  # the Ansible unit's ordering cycle


def test_ollama_installs_a_verified_release_under_clean_hardening(all_on: Evaluation) -> None:
    unit = next(f.content for f in all_on.files if f.node == "velaryon" and f.path.endswith("/ollama.service"))
    assert "LimitMEMLOCK=infinity\n" in unit and "PrivateDevices=no\n" in unit
    assert "ExecStart=/opt/ollama/0.11.4/bin/ollama serve\n" in unit
    assert "OLLAMA_HOST=10.4.0.30:11434" in unit
    step = next(f.content for f in all_on.files if f.node == "velaryon" and f.path == "_steps/ollama.sh")
    assert "v0.11.4/ollama-linux-amd64.tgz" in step and "a" * 64 in step
    assert "install.sh" not in step


def test_secrets_of_the_batch_layer_stay_out_of_rendered_files(all_on: Evaluation) -> None:
    dbd = next(f.content for f in all_on.files if f.path == "/etc/slurm/slurmdbd.conf")
    assert "StoragePass={{secret:SLURMDBD_STORAGE_PASSWORD}}" in dbd
    for r in all_on.resources:
        if r.name.endswith(("-munge", "-slurmdbd-database", "-slurmdbd-conf")):
            assert r.inputs["stdin"] == "[secret]", r.name


# --- contributions --------------------------------------------------------------------------------------------


def test_contributions_of_the_real_stack(real_evaluation: Evaluation) -> None:
    spec: ClusterSpec = real_evaluation.spec
    assert spec.roles.slurm is not None and spec.roles.ray is not None
    c = contributions(spec)
    assert [r.hostname for r in c.http_routes] == ["ray.services.goldentooth.net"]
    assert c.http_routes[0].servers[0].address == "10.4.0.14" and c.http_routes[0].servers[0].port == 8265
    ray = next(t for t in c.scrape_targets if t.job == "ray")
    assert {n for n, _ in ray.endpoints} == {spec.roles.ray.head, *spec.roles.ray.workers}
    assert [n for n, _ in ray.endpoints] == sorted(n for n, _ in ray.endpoints)
    assert "slurm" not in {t.job for t in c.scrape_targets}, "no exporter is installed without its checksum"
    assert {g.name for g in c.alert_rules} == {"ray"}
    assert [s.node for s in c.leave_steps] == list(spec.roles.slurm.compute)
    assert all(s.script == DRAIN_SCRIPT and (ROOT / s.script).is_file() for s in c.leave_steps)
    assert c.quorum_checks[0].members == spec.roles.slurm.controllers
    ports = {(p.node, p.port) for p in c.listen_ports}
    assert ("bettley", 6817) in ports and ("karstark", 6818) in ports and ("karstark", 6817) not in ports
    assert contributions(spec) == c  # a pure function of the spec


def test_contributions_with_every_part_on(all_on: Evaluation) -> None:
    c = contributions(all_on.spec)
    assert sorted(r.hostname for r in c.http_routes) == ["ollama.services.goldentooth.net", "ray.services.goldentooth.net"]
    slurm = next(t for t in c.scrape_targets if t.job == "slurm")
    assert [n for n, _ in slurm.endpoints] == ["bettley", "cargyll", "dalt"]
    rules = {r.alert for g in c.alert_rules for r in g.rules}
    assert len([r for r in rules if r.startswith("Slurm")]) >= 4  # the reference's test_prometheus_alerts
    assert ("bettley", 6819) in {(p.node, p.port) for p in c.listen_ports}


def test_the_layer_is_absent_when_the_section_is(real_plain: dict[str, Any]) -> None:
    plain = copy.deepcopy(real_plain)
    del plain["batch"]
    ev = evaluate_shared(plain)
    assert not [r for r in ev.resources if ":batch:" in r.type or r.type.startswith("goldentooth:batch")]
    assert contributions(ev.spec) == type(contributions(ev.spec))()


def test_compute_node_shapes_follow_the_models(real_evaluation: Evaluation) -> None:
    spec = real_evaluation.spec
    assert spec.batch is not None and spec.batch.slurm is not None
    shapes = {n.name: n for n in compute_nodes(spec, spec.batch.slurm)}
    assert shapes["karstark"].real_memory < shapes["bettley"].real_memory
    assert {n.cpus for n in shapes.values()} == {4}


def test_the_restart_after_a_config_change_passes_shellcheck(real_evaluation: Evaluation, tmp_path: Path) -> None:
    """write_file runs `on_change` with `bash -c`, outside any step script shellcheck sees."""
    shellcheck = _tool("shellcheck")
    spec = real_evaluation.spec
    assert spec.roles.slurm is not None
    paths = []
    for node in sorted({*spec.roles.slurm.controllers, *spec.roles.slurm.compute}):
        path = tmp_path / f"{node}.sh"
        path.write_text(f"#!/bin/bash\n{restart_command(spec, node)}\n")
        paths.append(str(path))
    assert "at bettley is UP" in restart_command(spec, "bettley")
    assert restart_command(spec, "karstark") == "systemctl try-restart slurmd"
    done = subprocess.run([shellcheck, "--format=gcc", *paths], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
