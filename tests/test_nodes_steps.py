"""The node layer in the offline plan of the real inventory: which steps each host gets, with which per-model
parameters, and in which order (the dependency edges)."""

import hashlib
from pathlib import Path

import pytest

from offline.evaluate import Evaluation
from tests.nodes_support import Step, depends_on, node_steps

PI_BOOT = {"firmware", "cmdline", "reboot-check", "wait-fresh-boot", "reboot", "wait-boot"}
EVERY_NODE = {
    "clock", "hosts-upload", "identity", "swap-off", "kernel", "journald", "wireless-off", "ssh-hardening",
    "unattended-upgrades", "nfs-mounts", "operator-user", "metallb-route", "homepage",
}
KUBERNETES = {"containerd", "containerd-rolling", "kubernetes-packages"}
POST_BOOT = EVERY_NODE - {"clock", "hosts-upload", "identity"}


@pytest.fixture(scope="module")
def steps(real_evaluation: Evaluation) -> dict[str, dict[str, Step]]:
    return node_steps(real_evaluation)


def test_each_node_gets_the_steps_its_model_and_roles_call_for(
    real_evaluation: Evaluation, steps: dict[str, dict[str, Step]]
) -> None:
    spec = real_evaluation.spec
    k8s = set(spec.roles.kubernetes.control_plane) | set(spec.roles.kubernetes.workers)
    exporters = {e.node for e in spec.roles.nfs_exports}
    assert set(steps) == {n.name for n in spec.nodes}
    for node in spec.nodes:
        expected = set(EVERY_NODE)
        expected |= PI_BOOT if node.is_pi else set()
        expected |= KUBERNETES if node.name in k8s else set()
        expected |= {"nfs-server"} if node.name in exporters else set()
        expected |= {"mounts"} if node.mounts else set()
        expected |= {"nvidia-runtime"} if node.gpu is not None and node.name in k8s else set()
        assert set(steps[node.name]) == expected, node.name
    assert "nvidia-runtime" in steps["velaryon"] and "kubernetes-packages" not in steps["allyrion"]


def _block(step: Step) -> list[str]:
    return step.params["GT_BLOCK"].splitlines()


@pytest.mark.parametrize("node", ["bettley", "karstark"])
def test_pi4b_boards_are_overclocked_with_the_fan_overlay_in_millidegrees(
    steps: dict[str, dict[str, Step]], node: str
) -> None:
    lines = _block(steps[node]["firmware"])
    assert lines[2] == "[all]"
    assert {"arm_freq=2000", "over_voltage=6", "arm_boost=1", "dtoverlay=disable-wifi"} <= set(lines)
    assert "dtoverlay=gpio-fan,gpiopin=14,temp=60000" in lines
    assert not any(line.startswith("dtparam=pciex1") for line in lines)


def test_pi5_keeps_its_stock_clock_uses_its_fan_header_and_states_pcie_gen_2(
    steps: dict[str, dict[str, Step]],
) -> None:
    lines = _block(steps["manderly"]["firmware"])
    assert lines[2] == "[all]"
    assert not any(line.split("=")[0] in ("arm_freq", "over_voltage", "arm_boost") for line in lines[2:])
    assert not any("gpio-fan" in line for line in lines)
    assert "dtparam=pciex1" in lines and "dtparam=pciex1_gen=2" in lines
    assert "dtoverlay=disable-wifi" in lines


def test_every_firmware_line_is_a_key_the_block_owns(steps: dict[str, dict[str, Step]]) -> None:
    """The script comments out owned keys elsewhere in config.txt; a block line it does not own could be
    overridden by a stale copy of itself earlier in the file."""
    for node in ("allyrion", "karstark", "manderly"):
        firmware = steps[node]["firmware"]
        owned = firmware.params["GT_OWNED_KEYS"].split()
        for line in _block(firmware)[3:-1]:
            assert any(line == k or line.startswith((k + "=", k + ",")) for k in owned), line


def test_cmdline_adds_the_cgroup_flags_on_every_pi(steps: dict[str, dict[str, Step]]) -> None:
    flags = steps["payne"]["cmdline"].params["GT_FLAGS"].split()
    assert flags == ["cgroup_enable=cpuset", "cgroup_enable=memory", "cgroup_enable=hugetlb", "cgroup_memory=1"]


def test_reboot_follows_every_pre_boot_step_and_wait_follows_reboot_with_unlimited_dials(
    steps: dict[str, dict[str, Step]],
) -> None:
    for node in ("allyrion", "karstark", "manderly"):
        s = steps[node]
        for before in ("firmware", "cmdline", "clock", "identity"):
            assert depends_on(s["reboot"], s[before]), (node, before)
        assert depends_on(s["wait-boot"], s["reboot"])
        assert s["wait-boot"].connection["dialErrorLimit"] == -1
        assert s["reboot"].connection["dialErrorLimit"] == 10
        # reboot and wait re-run exactly when a boot file step does: its script digest rides in their triggers
        for trigger_of in ("firmware", "cmdline"):
            digest = s[trigger_of].triggers[0]
            assert digest in s["reboot"].triggers and digest in s["wait-boot"].triggers


def test_every_later_step_runs_on_the_new_boot(steps: dict[str, dict[str, Step]]) -> None:
    """A fresh node's: it reboots at reboot-check (a node in service keeps its boot until its window)."""
    for node, s in steps.items():
        first = [s["wait-fresh-boot"]] if "wait-fresh-boot" in s else [s["clock"], s["identity"]]
        for name in POST_BOOT | ({"nfs-server"} & set(s)):
            for gate in first:
                assert depends_on(s[name], gate), (node, name, gate.name)


def test_kubernetes_pieces_come_in_order(steps: dict[str, dict[str, Step]]) -> None:
    s = steps["velaryon"]
    assert depends_on(s["nvidia-runtime"], s["kernel"])
    assert depends_on(s["containerd"], s["nvidia-runtime"]) and depends_on(s["containerd"], s["kernel"])
    assert depends_on(s["kubernetes-packages"], s["containerd"]) and depends_on(s["kubernetes-packages"], s["swap-off"])


def test_quorum_members_reboot_one_after_another(steps: dict[str, dict[str, Step]]) -> None:
    """Direct edges within a lane are not required (the rollout orders windows, tests/test_rollout.py proves the
    transitive order); here: no member's reboot is independent of every other member's wait."""
    lanes = [("bettley", "cargyll", "dalt"), ("erenford", "fenn", "gardener"), ("manderly", "norcross", "oakheart")]
    for lane in lanes:
        waits_before = [any(steps[other]["wait-boot"].urn in steps[m]["reboot"].resource.dependencies
                            for other in lane if other != m) for m in lane]
        assert sum(waits_before) == len(lane) - 1, lane


def test_repositories_use_the_nodes_own_architecture(steps: dict[str, dict[str, Step]]) -> None:
    for node, arch, vendor in (("bettley", "arm64", "debian"), ("velaryon", "amd64", "ubuntu")):
        sources = steps[node]["kubernetes-packages"].params["GT_K8S_SOURCES"]
        assert "URIs: https://pkgs.k8s.io/core:/stable:/v1.32/deb/\n" in sources
        assert f"Architectures: {arch}\n" in sources and "Suites: /\n" in sources
        assert "Signed-By: /etc/apt/keyrings/kubernetes.asc\n" in sources
        assert steps[node]["kubernetes-packages"].params["GT_K8S_KEY_URL"].endswith("/v1.32/deb/Release.key")
        docker = steps[node]["containerd"].params["GT_DOCKER_SOURCES"]
        assert f"URIs: https://download.docker.com/linux/{vendor}\n" in docker and f"Architectures: {arch}\n" in docker


def test_kubernetes_packages_and_containerd_are_pinned_to_the_configured_versions(
    real_evaluation: Evaluation, steps: dict[str, dict[str, Step]]
) -> None:
    versions = real_evaluation.spec.versions
    packages = steps["fenn"]["kubernetes-packages"].params["GT_PACKAGES"].split()
    assert packages == [f"{p}={versions.kubernetes}-*" for p in ("kubeadm", "kubectl", "kubelet")]
    assert steps["fenn"]["kubernetes-packages"].params["GT_HOLD"].split() == ["kubeadm", "kubectl", "kubelet"]
    assert steps["fenn"]["containerd"].params["GT_PACKAGE"] == f"containerd.io={versions.containerd}-*"


def test_containerd_config_uses_systemd_cgroups_and_kubeadms_pause_image(steps: dict[str, dict[str, Step]]) -> None:
    pi = steps["fenn"]["containerd"].params["GT_CONFIG_TOML"]
    gpu = steps["velaryon"]["containerd"].params["GT_CONFIG_TOML"]
    for text in (pi, gpu):
        assert 'sandbox_image = "registry.k8s.io/pause:3.10"' in text and "version = 2" in text
        assert text.count("SystemdCgroup = true") == text.count("runtime_type =")
    assert 'default_runtime_name = "runc"' in pi and "nvidia" not in pi
    assert 'default_runtime_name = "nvidia"' in gpu and 'BinaryName = "/usr/bin/nvidia-container-runtime"' in gpu


def test_hosts_block_lists_every_node_with_its_fqdn(
    real_evaluation: Evaluation, steps: dict[str, dict[str, Step]]
) -> None:
    """The block is one shared file (components/shared_file.py): each node's upload copies it to the staged
    path its identity step installs from, after checking the sha256 it was planned with."""
    identity, upload = steps["jast"]["identity"], steps["jast"]["hosts-upload"]
    staged = identity.params["GT_HOSTS_FILE"]
    assert upload.is_upload and upload.remote_path == staged and upload.urn in identity.resource.dependencies
    block = real_evaluation.file("shared", Path(upload.source_path).name)
    assert staged.endswith(f"/hosts-{hashlib.sha256(block.encode()).hexdigest()}")
    assert identity.params["GT_HOSTS_DIGEST"] == hashlib.sha256(block.encode()).hexdigest()
    lines = block.splitlines()[1:-1]
    assert lines == [f"{n.ip} {n.name}.nodes.goldentooth.net {n.name}" for n in real_evaluation.spec.nodes]
    assert {s["hosts-upload"].source_path for s in steps.values()} == {upload.source_path}
    assert steps["jast"]["identity"].params["GT_TIMEZONE"] == "America/New_York"
    assert steps["jast"]["identity"].params["GT_HOSTNAME"] == "jast"


@pytest.mark.parametrize(("node", "time"), [("allyrion", "00:00"), ("karstark", "10:00"), ("velaryon", "23:00")])
def test_unattended_reboots_happen_at_a_proper_hh_mm(steps: dict[str, dict[str, Step]], node: str, time: str) -> None:
    conf = steps[node]["unattended-upgrades"].params["GT_UPGRADES_CONF"]
    assert f'Unattended-Upgrade::Automatic-Reboot-Time "{time}";' in conf


def test_nfs_servers_do_not_mount_their_own_export_over_nfs(steps: dict[str, dict[str, Step]]) -> None:
    allyrion = steps["allyrion"]["nfs-mounts"].params
    velaryon = steps["velaryon"]["nfs-mounts"].params
    bettley = steps["bettley"]["nfs-mounts"].params
    names = {k: v for k, v in bettley.items() if k.endswith("_NAME")}
    assert sorted(names.values()) == sorted(
        ["mnt-nfs.mount", "mnt-nfs.automount", "mnt-gpu\\x2dstorage.mount", "mnt-gpu\\x2dstorage.automount"]
    )
    texts = "".join(v for k, v in bettley.items() if k.endswith("_TEXT"))
    assert "What=10.4.0.10:/mnt/usb1\n" in texts and "What=10.4.0.30:/mnt/gpu-storage\n" in texts
    assert "Options=soft,timeo=30,retrans=2,_netdev\n" in texts and ",bg" not in texts and "intr" not in texts
    # allyrion binds its own disk at /mnt/nfs; velaryon's export already is /mnt/gpu-storage: no unit for it
    assert "What=/mnt/usb1\nWhere=/mnt/nfs\nType=none\nOptions=bind\n" in "".join(allyrion.values())
    assert "gpu\\x2dstorage" not in "".join(v for k, v in velaryon.items() if k.endswith("_NAME"))
    assert steps["velaryon"]["nfs-server"].params["GT_EXPORTS"].endswith(
        "/mnt/gpu-storage 10.4.0.0/20(rw,sync,no_root_squash,no_subtree_check)\n"
    )


def test_sshd_drop_in_sorts_first_and_turns_passwords_off(steps: dict[str, dict[str, Step]]) -> None:
    params = steps["lipps"]["ssh-hardening"].params
    assert params["GT_SSHD_DROP_IN"] == "/etc/ssh/sshd_config.d/10-goldentooth.conf"
    conf = params["GT_SSHD_CONF"].splitlines()
    assert {"PasswordAuthentication no", "PermitRootLogin prohibit-password", "AllowUsers nathan root"} <= set(conf)


def test_every_node_step_keeps_previous_output_out_of_the_environment(steps: dict[str, dict[str, Step]]) -> None:
    for s in steps.values():
        for step in s.values():
            if not step.is_upload:  # a CopyToRemote runs no command
                assert step.resource.inputs["addPreviousOutputInEnv"] is False, step.urn


def test_os_ready_is_what_the_kubernetes_layer_waits_for(real_evaluation: Evaluation,
                                                        steps: dict[str, dict[str, Step]]) -> None:
    """Every kubeadm join on a node depends on that node's kubernetes-packages step (through `os_ready`); its
    config file only needs the node's last boot."""
    joins = [r for r in real_evaluation.resources
             if r.type == "command:remote:Command" and r.name.endswith("-kubeadm-join")]
    assert joins
    for join in joins:
        node = join.name.split("-kubeadm-join")[0]
        assert steps[node]["kubernetes-packages"].urn in join.dependencies, join.name
