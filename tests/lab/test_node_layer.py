"""The node layer's registered steps, applied over real SSH to lab hosts at the inventory's own addresses:
in dependency order (everything converges, the Pis reboot onto a new boot), again (nothing changes: no
`changed:` line, identical files), and on fresh hosts in a random order the edges allow (still converges).

One host per hardware model by default; `make lab` runs all 17 (GOLDENTOOTH_LAB_NODES=all). Needs root and
iproute2: skipped where they are missing, a failure under CI=true. What is simulated: tests/lab/README.md.
"""

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.shared_file import SHARED
from nodes.os.firmware import BEGIN, END
from offline.evaluate import Evaluation
from tests.lab.apply import Run
from tests.lab.node_lab import NodeLab, lab_steps, node_lab, prerequisites, selected_nodes
from tests.lab.snapshot import Snapshot, differences, snapshot
from tests.nodes_support import Step, node_steps

pytestmark = pytest.mark.lab
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_ENV = "GOLDENTOOTH_LAB_SEED"


def _require_lab() -> None:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the SSH lab, but {reason}")
        pytest.skip(reason)


@dataclass
class Converged:
    lab: NodeLab
    steps: list[Step]
    first: Run
    second: Run
    after_first: dict[str, Snapshot]
    after_second: dict[str, Snapshot]


@pytest.fixture(scope="module")
def converged(real_evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Converged]:
    _require_lab()
    names = selected_nodes(real_evaluation)
    steps = lab_steps(real_evaluation, names)
    with node_lab(real_evaluation, names, tmp_path_factory.mktemp("node-lab")) as lab:
        first = lab.apply(steps)
        assert first.failed is None, first.report()
        after_first = {name: snapshot(host) for name, host in lab.hosts.items()}
        second = lab.apply(steps)
        after_second = {name: snapshot(host) for name, host in lab.hosts.items()}
        yield Converged(lab, steps, first, second, after_first, after_second)


def _sh(lab: NodeLab, node: str, command: str) -> str:
    outcome = lab.sh(node, command)
    assert outcome.returncode == 0, f"{node}: {command}: {outcome.stderr}"
    return outcome.stdout


def test_every_step_runs_over_real_ssh_and_converges_fresh_hosts(converged: Converged) -> None:
    assert len(converged.first.outcomes) == len(converged.steps)
    changed = set(converged.first.changes())
    for step in converged.steps:
        # a fresh Pi reboots at reboot-check and wait-fresh-boot sees it back; the rolling reboot, its wait and
        # containerd-rolling (for a node in service) have nothing left to do on a fresh host
        if step.is_upload:  # a copy prints nothing: its file is there (the identity step installed from it)
            assert _sh(converged.lab, step.node, f"cat {step.remote_path}") == converged.lab.ev.file(
                SHARED, Path(step.source_path).name), step.resource.name
        elif step.name not in ("reboot", "wait-boot", "containerd-rolling"):
            assert step.resource.name in changed, f"{step.resource.name} changed nothing on a fresh host"


def test_a_second_run_changes_nothing(converged: Converged) -> None:
    assert converged.second.failed is None, converged.second.report()
    assert converged.second.changes() == {}
    for name, before in converged.after_first.items():
        assert differences(before, converged.after_second[name]) == [], name


def test_pis_rebooted_once_onto_a_new_boot_and_the_others_never(converged: Converged) -> None:
    for name, host in converged.lab.hosts.items():
        boots = host.boots()
        assert len(boots) == (2 if host.spec.is_pi else 1), (name, boots)
        _sh(converged.lab, name, "test ! -e /run/goldentooth/reboot-required && "
                                 "test ! -e /var/lib/goldentooth/reboot-pending")
        if host.spec.is_pi:
            steps = node_steps(converged.lab.ev)[name]
            # fresh (nothing served here): it rebooted at once at reboot-check, with no rollout window
            check = converged.first.outcomes[steps["reboot-check"].urn]
            assert check.stdout.startswith("fresh node (nothing served here): rebooting now"), check.stdout
            wait = converged.first.outcomes[steps["wait-fresh-boot"].urn]
            # it only ever reached the new boot: on the old one it would have failed ("still on boot ...")
            assert f"rebooted: boot {boots[0]} -> {boots[1]}" in wait.stdout
            # and the rolling reboot found nothing left to do
            assert "no reboot required" in converged.first.outcomes[steps["reboot"].urn].stdout


def _unmanaged(config_txt: str) -> str:
    """config.txt as it was before the node layer: managed block dropped, owned lines un-commented."""
    head = config_txt.split(BEGIN, 1)[0].rstrip("\n") + "\n"
    return "\n".join(line.removeprefix("#goldentooth-managed# ") for line in head.splitlines()) + "\n"


def test_config_txt_gains_one_block_at_the_end_and_keeps_every_other_line(converged: Converged) -> None:
    original = (FIXTURES / "raspios-bookworm/boot/firmware/config.txt").read_text(encoding="utf-8")
    steps = node_steps(converged.lab.ev)
    for name, host in converged.lab.hosts.items():
        if not host.spec.is_pi:
            continue
        text = host.read("/boot/firmware/config.txt")
        assert text.endswith(steps[name]["firmware"].params["GT_BLOCK"]) and text.count(BEGIN) == 1
        assert text.rstrip("\n").endswith(END)
        assert _unmanaged(text) == original
        active = [line for line in text.split(BEGIN)[0].splitlines() if not line.startswith("#")]
        assert not any(line.startswith(("arm_freq", "over_voltage", "dtoverlay=gpio-fan")) for line in active)
        assert host.read("/boot/firmware/config.txt.goldentooth-previous") == original


def test_cmdline_txt_stays_one_line_with_the_cgroup_flags_appended(converged: Converged) -> None:
    original = (FIXTURES / "raspios-bookworm/boot/firmware/cmdline.txt").read_text(encoding="utf-8").split()
    for host in converged.lab.hosts.values():
        if host.spec.is_pi:
            text = host.read("/boot/firmware/cmdline.txt")
            assert text.count("\n") == 1
            assert text.split() == [*original, "cgroup_enable=cpuset", "cgroup_enable=memory",
                                    "cgroup_enable=hugetlb", "cgroup_memory=1"]


def test_hosts_know_their_name_every_node_and_the_time_zone(converged: Converged) -> None:
    nodes = converged.lab.ev.spec.nodes
    for name, host in converged.lab.hosts.items():
        assert _sh(converged.lab, name, "hostname").strip() == name
        hosts = host.read("/etc/hosts")
        for node in nodes:
            assert f"\n{node.ip} {node.name}.nodes.goldentooth.net {node.name}\n" in hosts
        assert "127.0.1.1" not in hosts and "localhost" in hosts
        assert os.readlink(host.root / "etc/localtime") == "/usr/share/zoneinfo/America/New_York"


def test_identity_refuses_a_staged_hosts_list_it_was_not_planned_with_and_drops_older_ones(
    converged: Converged,
) -> None:
    """The hosts list travels by reference (components/shared_file.py): the identity step checks the staged
    copy's sha256 and stops, naming node and file, rather than install another list; older staged lists go."""
    lab = converged.lab
    node = next(iter(lab.hosts))
    steps = node_steps(lab.ev)[node]
    staged = steps["identity"].params["GT_HOSTS_FILE"]
    before = lab.hosts[node].read("/etc/hosts")
    _sh(lab, node, f"echo '10.4.0.99 intruder' >> {staged}")
    refused = lab.apply([steps["identity"]])
    assert refused.failed == steps["identity"]
    stderr = refused.outcomes[steps["identity"].urn].stderr
    assert f"{node}: the staged hosts list" in stderr and staged in stderr and "sha256" in stderr
    assert lab.hosts[node].read("/etc/hosts") == before
    older = staged.rsplit("-", 1)[0] + "-" + "0" * 64
    _sh(lab, node, f"echo old > {older}")
    again = lab.apply([steps["hosts-upload"], steps["identity"]])
    assert again.failed is None, again.report()
    assert again.changes() == {} and lab.hosts[node].read("/etc/hosts") == before
    assert _sh(lab, node, f"ls {staged.rsplit('/', 1)[0]}").split() == [staged.rsplit("/", 1)[1]]


def test_sshd_refuses_passwords_even_where_an_image_drop_in_allows_them(converged: Converged) -> None:
    for name in converged.lab.hosts:
        effective = _sh(converged.lab, name, "sshd -T").splitlines()
        assert "passwordauthentication no" in effective
        assert "permitrootlogin without-password" in effective
        assert "maxstartups 30:30:100" in effective


def test_packages_are_pinned_and_held_and_containerd_runs_our_config(converged: Converged) -> None:
    steps = node_steps(converged.lab.ev)
    version = converged.lab.ev.spec.versions
    for name, host in converged.lab.hosts.items():
        status = _sh(converged.lab, name, "dpkg-query -W -f='${Package} ${db:Status-Abbrev}${Version}\\n'")
        installed = dict(line.split(" ", 1) for line in status.splitlines())
        assert installed["chrony"].startswith("ii")
        if "kubernetes-packages" not in steps[name]:
            assert "kubeadm" not in installed
            continue
        for package in ("kubeadm", "kubelet", "kubectl"):
            assert installed[package].startswith(f"hi {version.kubernetes}-"), (name, package)
        assert installed["containerd.io"].startswith(f"hi {version.containerd}-")
        assert host.read("/etc/containerd/config.toml") == steps[name]["containerd"].params["GT_CONFIG_TOML"]
        assert _sh(converged.lab, name, "systemctl is-active containerd").strip() == "active"


def test_swap_is_off_and_stays_off(converged: Converged) -> None:
    for name, host in converged.lab.hosts.items():
        assert _sh(converged.lab, name, "swapon --show --noheadings") == ""
        assert not any(line.split()[2:3] == ["swap"] for line in host.read("/etc/fstab").splitlines()
                       if line and not line.startswith("#"))
        if host.spec.is_pi:
            assert os.readlink(host.root / "etc/systemd/system/dphys-swapfile.service") == "/dev/null"


def test_wireless_is_down_and_kept_down(converged: Converged) -> None:
    for name, host in converged.lab.hosts.items():
        assert _sh(converged.lab, name, "systemctl is-enabled goldentooth-wireless-off.service").strip() == "enabled"
        if host.spec.is_pi:
            flags = _sh(converged.lab, name, "ip -o link show dev wlan0").split("<", 1)[1].split(">", 1)[0]
            assert "UP" not in flags.split(",")


def test_nfs_shares_are_automounted_everywhere(converged: Converged) -> None:
    for name in converged.lab.hosts:
        units = _sh(converged.lab, name, "ls /etc/systemd/system").split()
        for automount in (u for u in units if u.endswith(".automount")):
            assert _sh(converged.lab, name, f"systemctl is-active '{automount}'").strip() == "active"
        assert "mnt-nfs.automount" in units


def _seed() -> int:
    return int(os.environ.get(SEED_ENV) or random.SystemRandom().randrange(2**32))


def test_fresh_hosts_converge_with_independent_steps_in_a_random_order(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    """A step that secretly needs another one it has no edge to fails here sooner or later."""
    _require_lab()
    names = selected_nodes(real_evaluation)
    steps = lab_steps(real_evaluation, names)
    seed = _seed()
    with node_lab(real_evaluation, names, tmp_path / "shuffled") as lab:
        run = lab.apply(steps, rng=random.Random(seed))
        assert run.failed is None, f"{SEED_ENV}={seed}: {run.report()}"
        for name, host in lab.hosts.items():
            assert len(host.boots()) == (2 if host.spec.is_pi else 1), f"{SEED_ENV}={seed}: {name}"


def test_the_lab_fails_a_step_that_runs_before_its_dependencies(real_evaluation: Evaluation, tmp_path: Path) -> None:
    """What the random order relies on: a missing edge makes the run fail. Kubernetes packages before the clock
    step synchronised the clock: apt rejects the repositories' Release files as not yet valid."""
    _require_lab()
    node = "velaryon"
    packages = node_steps(real_evaluation)[node]["kubernetes-packages"]
    with node_lab(real_evaluation, [node], tmp_path / "missing-edge") as lab:
        run = lab.apply([packages])
        assert run.failed == packages
        assert "not valid yet" in run.outcomes[packages.urn].stderr
