"""What the live nodes rely on and the node layer now sets up (issue 11 item 5): the MetalLB on-link route, the
operator's account, velaryon's /mnt/gpu-storage and the node homepage HAProxy routes to.

The plan tests read the real stack's evaluation. The script tests run each step's rendered script in real bash
with the real tools (`ip` in a private network namespace with a dummy interface; `useradd` and `visudo` over an
overlay of /etc; `blkid`, `wipefs` and `mkfs.ext4` on a loop device), with a `systemctl` that records what it
is asked: nothing outside the namespaces is changed.
"""

import copy
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from config.errors import ConfigError
from config.load import load
from edge.existing_services import node_homepages
from nodes.os.homepage import HOMEPAGE_PORT, SITE
from nodes.os.onlink import UNIT as ROUTE_UNIT
from nodes.os.operator import BEGIN, END, SUDOERS
from offline.evaluate import Evaluation
from tests.conftest import Edit, fake_secret_values

ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOVEDJ8EtQdlP032JRaEDHsNEAITK37IUuwMI1tI6LHE nathan@laptop"


def test_every_node_routes_the_metallb_pool_on_link_through_its_own_interface(real_evaluation: Evaluation) -> None:
    for node in real_evaluation.spec.nodes:
        unit = real_evaluation.file(node.name, f"/etc/systemd/system/{ROUTE_UNIT}")
        assert f"ExecStart=/usr/sbin/ip route replace 10.4.11.0/24 dev {node.interface} scope link\n" in unit
        assert "WantedBy=multi-user.target" in unit


def test_no_route_when_the_pool_is_on_link_or_no_on_link_subnet_is_set(
    evaluate_edited: Callable[[Edit], Evaluation],
) -> None:
    def whole_network(plain: dict[str, Any]) -> None:
        plain["network"] = {**plain["network"], "onLink": "10.4.0.0/20"}

    ev = evaluate_edited(whole_network)
    assert not [r for r in ev.of_type("command:remote:Command") if r.name.endswith("-metallb-route")]


def test_the_operator_may_sudo_and_logs_in_with_the_configured_keys(
    real_evaluation: Evaluation, evaluate_edited: Callable[[Edit], Evaluation]
) -> None:
    assert real_evaluation.file("fenn", SUDOERS) == "# goldentooth (managed)\nnathan ALL=(ALL) NOPASSWD: ALL\n"
    assert "export GT_KEYS_BLOCK=''" in real_evaluation.file("fenn", "_steps/operator-user.sh")

    def keys(plain: dict[str, Any]) -> None:
        plain["cluster"] = {**plain["cluster"], "operatorAuthorizedKeys": [ED25519]}

    script = evaluate_edited(keys).file("fenn", "_steps/operator-user.sh")
    assert f"{BEGIN}\n{ED25519}\n{END}\n" in script


@pytest.mark.parametrize("key, message", [
    ("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB", "the key does not say it is ssh-ed25519"),
    ("not a key", "is not a public key line"),
    (ED25519 + "\n" + ED25519, "more than one line"),
])
def test_a_malformed_operator_key_is_refused_with_its_entry(real_plain: dict[str, Any], key: str, message: str) -> None:
    plain = copy.deepcopy(real_plain)
    plain["cluster"] = {**plain["cluster"], "operatorAuthorizedKeys": [ED25519, key]}
    with pytest.raises(ConfigError) as caught:
        load(plain, fake_secret_values(), require_secrets=False)
    assert "cluster.operatorAuthorizedKeys" in caught.value.report() and "entry 1" in caught.value.report()
    assert message in caught.value.report()


def test_velaryon_mounts_its_gpu_storage_by_uuid_before_it_exports_it(real_evaluation: Evaluation) -> None:
    unit = real_evaluation.file("velaryon", "/etc/systemd/system/mnt-gpu\\x2dstorage.mount")
    assert "What=/dev/disk/by-uuid/5bc38d5b-a7a4-426e-acdb-e5caf0a809d9\nWhere=/mnt/gpu-storage\nType=ext4\n" in unit
    assert "Before=local-fs.target nfs-server.service" in unit
    mounts, export = real_evaluation.command("velaryon-mounts"), real_evaluation.command("velaryon-nfs-server")
    assert real_evaluation.waits_for(export, mounts)
    assert "GT_MOUNT_0_FORMAT=no" in real_evaluation.file("velaryon", "_steps/mounts.sh")
    names = {r.name for r in real_evaluation.of_type("command:remote:Command")}
    assert [n.name for n in real_evaluation.spec.nodes if f"{n.name}-mounts" in names] == ["velaryon"]


@pytest.mark.parametrize("mount, message", [
    ({"path": "/mnt/x"}, "give exactly one of uuid"),
    ({"path": "/mnt/x", "uuid": "5bc38d5b-a7a4-426e-acdb-e5caf0a809d9", "device": "/dev/disk/by-id/ata-X"},
     "give exactly one of uuid"),
    ({"path": "/mnt/x", "uuid": "5bc38d5b-a7a4-426e-acdb-e5caf0a809d9", "formatIfEmpty": True},
     "formatIfEmpty needs device"),
])
def test_a_mount_names_its_disk_exactly_once_and_formatting_needs_a_disk_id(
    real_plain: dict[str, Any], mount: dict[str, Any], message: str
) -> None:
    plain = copy.deepcopy(real_plain)
    next(n for n in plain["nodes"] if n["name"] == "velaryon")["mounts"] = [mount]
    with pytest.raises(ConfigError) as caught:
        load(plain, fake_secret_values(), require_secrets=False)
    assert message in caught.value.report()


def test_each_node_serves_the_homepage_haproxy_checks(real_evaluation: Evaluation) -> None:
    backends = {r.name: r.servers for r in node_homepages(real_evaluation.spec).http_routes}
    for node in real_evaluation.spec.nodes:
        assert [(s.address, s.port) for s in backends[f"{node.name}-homepage"]] == [(str(node.ip), HOMEPAGE_PORT)]
        assert f"listen {HOMEPAGE_PORT} default_server;" in real_evaluation.file(node.name, SITE)


# --- the rendered scripts, run with the real tools -------------------------------------------------------------

_SYSTEMCTL = """#!/bin/bash
printf '%s\\n' "systemctl $*" >>/tmp/gt-systemctl.log
case $1 in is-enabled|is-active) [ -e "/tmp/gt-unit-$1-${@: -1}" ] ;; enable|start) touch "/tmp/gt-unit-is-${1}d-${@: -1}";; esac
case $1 in start) touch "/tmp/gt-unit-is-active-${@: -1}";; enable) touch "/tmp/gt-unit-is-enabled-${@: -1}";; esac
exit 0
"""


def _bash_in_namespaces(tmp_path: Path, body: str, unshare: list[str]) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "systemctl").write_text(_SYSTEMCTL)
    (bin_dir / "systemctl").chmod(0o755)
    (tmp_path / "state").mkdir(exist_ok=True)
    (tmp_path / "body.sh").write_text("set -e\nmount -t tmpfs none /etc/systemd/system\n" + body)
    return subprocess.run(["unshare", *unshare, "--propagation", "private", "bash", str(tmp_path / "body.sh")],
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin:/usr/sbin:/sbin", "GT_TEST_STATE": str(tmp_path / "state")},
                          capture_output=True, text=True, check=False)


def _script(ev: Evaluation, node: str, step: str, tmp_path: Path, **overrides: str) -> Path:
    text = ev.file(node, f"_steps/{step}.sh")
    for name, value in overrides.items():
        lines = [line for line in text.splitlines() if line.startswith(f"export {name}=")]
        assert lines, name
        text = text.replace(lines[0], f"export {name}={value}", 1)
    path = tmp_path / f"{step}.sh"
    path.write_text(text)
    return path


def test_the_route_step_adds_the_route_once_and_a_second_run_changes_nothing(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    step = _script(real_evaluation, "fenn", "metallb-route", tmp_path)
    body = (
        "ip link add eth0 type veth peer name eth0-peer\nip addr add 10.4.0.15/24 dev eth0\n"
        "ip link set eth0-peer up\nip link set eth0 up\n"
        f"echo '--- run 1'; bash {step}\necho '--- run 2'; bash {step}\n"
        "echo '--- routes'; ip route show 10.4.11.0/24\n"
        f"echo '--- unit'; cat /etc/systemd/system/{ROUTE_UNIT} | grep ExecStart\n"
    )
    done = _bash_in_namespaces(tmp_path, body, ["--net", "--mount"])
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    first, second = out.split("--- run 2")[0], out.split("--- run 2")[1].split("--- routes")[0]
    assert "changed: route 10.4.11.0/24 dev eth0" in first and "changed:" not in second
    assert "10.4.11.0/24 dev eth0 scope link" in out.split("--- routes")[1]


@pytest.fixture
def overlay_etc(tmp_path: Path) -> str:
    for d in ("upper", "work"):
        (tmp_path / d).mkdir()
    return (f"mount -t overlay overlay -o lowerdir=/etc,upperdir={tmp_path}/upper,workdir={tmp_path}/work /etc\n"
            "mount -t tmpfs none /home\n")


def test_the_operator_step_creates_or_adopts_the_account_and_keeps_hand_added_keys(
    evaluate_edited: Callable[[Edit], Evaluation], tmp_path: Path, overlay_etc: str
) -> None:
    def keys(plain: dict[str, Any]) -> None:
        plain["cluster"] = {**plain["cluster"], "operatorAuthorizedKeys": [ED25519]}

    step = _script(evaluate_edited(keys), "fenn", "operator-user", tmp_path)
    home = "/home/nathan"
    body = (
        overlay_etc
        + f"echo '--- run 1'; bash {step}\n"
        + f"echo 'ssh-ed25519 AAAAhandadded me@elsewhere' >>{home}/.ssh/authorized_keys\n"
        + f"echo '--- run 2'; bash {step}\necho '--- run 3'; bash {step}\n"
        + f"echo '--- keys'; cat {home}/.ssh/authorized_keys\n"
        + f"echo '--- sudo'; stat -c '%a %U' {SUDOERS}; visudo -cq && echo sudoers-ok\n"
        + f"echo '--- owner'; stat -c '%U %a' {home}/.ssh {home}/.ssh/authorized_keys\n"
    )
    done = _bash_in_namespaces(tmp_path, body, ["--mount"])
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    run1, rest = out.split("--- run 2")
    run2, rest = rest.split("--- run 3")
    run3 = rest.split("--- keys")[0]
    assert "changed: user nathan" in run1 and f"changed: {SUDOERS}" in run1
    assert f"changed: {home}/.ssh/authorized_keys" in run1
    assert "changed:" not in run2 and "changed:" not in run3  # the hand-added key after the block stays
    keys_now = out.split("--- keys")[1].split("--- sudo")[0].strip().splitlines()
    assert keys_now == [BEGIN, ED25519, END, "ssh-ed25519 AAAAhandadded me@elsewhere"]
    assert "440 root" in out and "sudoers-ok" in out
    assert "nathan 700\nnathan 600" in out


@pytest.fixture
def loop_disk(tmp_path: Path) -> Iterator[str]:
    image = tmp_path / "disk.img"
    with image.open("wb") as f:
        f.truncate(64 * 1024 * 1024)
    done = subprocess.run(["losetup", "--find", "--show", str(image)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"no loop device here: {done.stderr.strip()}")
    device = done.stdout.strip()
    try:
        yield device
    finally:
        subprocess.run(["losetup", "--detach", device], check=False)


def _mount_run(ev: Evaluation, tmp_path: Path, device: str, fmt: str, runs: int = 1) -> subprocess.CompletedProcess[str]:
    step = _script(ev, "velaryon", "mounts", tmp_path, GT_MOUNT_0_SOURCE=device, GT_MOUNT_0_FORMAT=fmt,
                   GT_MOUNT_0_PATH=str(tmp_path / "gpu-storage"))
    body = "".join(f"echo '--- run {i}'; bash {step}\n" for i in range(runs))
    return _bash_in_namespaces(tmp_path, body, ["--mount"])


def test_an_empty_disk_is_not_formatted_unless_config_allows_it(
    real_evaluation: Evaluation, tmp_path: Path, loop_disk: str
) -> None:
    done = _mount_run(real_evaluation, tmp_path, loop_disk, "no")
    assert done.returncode != 0 and "has no filesystem; set formatIfEmpty" in done.stderr
    assert subprocess.run(["blkid", "-p", loop_disk], capture_output=True).returncode != 0  # still empty
    done = _mount_run(real_evaluation, tmp_path, loop_disk, "yes", runs=2)
    assert done.returncode == 0, done.stdout + done.stderr
    first, second = done.stdout.split("--- run 1")
    assert f"changed: created ext4 on {loop_disk}" in first and "created" not in second
    assert subprocess.run(["blkid", "-o", "value", "-s", "TYPE", loop_disk], capture_output=True,
                          text=True).stdout.strip() == "ext4"


def test_a_disk_with_any_signature_is_never_formatted(
    real_evaluation: Evaluation, tmp_path: Path, loop_disk: str
) -> None:
    with open(loop_disk, "r+b") as disk:  # an MBR partition table: a signature, but no filesystem
        disk.seek(510)
        disk.write(b"\x55\xaa")
    done = _mount_run(real_evaluation, tmp_path, loop_disk, "yes")
    assert done.returncode != 0 and "carries a signature" in done.stderr and "never formatted" in done.stderr
    with open(loop_disk, "rb") as disk:
        disk.seek(510)
        assert disk.read(2) == b"\x55\xaa"  # untouched


def test_a_disk_with_another_filesystem_stops_the_step(
    real_evaluation: Evaluation, tmp_path: Path, loop_disk: str
) -> None:
    subprocess.run(["mkfs.ext2", "-q", "-F", loop_disk], check=True, capture_output=True)
    done = _mount_run(real_evaluation, tmp_path, loop_disk, "yes")
    assert done.returncode != 0 and "holds ext2, not ext4" in done.stderr
