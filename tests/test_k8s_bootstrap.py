"""kubeadm bootstrap on the real inventory: edges (HAProxy → init → serial control-plane joins → worker joins →
provider → Calico → MetalLB chart → pool and advertisement), the rendered kubeadm configs, the CA pin and the
join credentials, and scripts that never reset a node."""

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pulumi_random as random
import pytest
import yaml

import nodes.node
from k8s.kubeadm.config import INIT_CONFIG_PATH, JOIN_CONFIG_PATH
from offline.evaluate import Evaluation
from tests.conftest import evaluate_shared

CONTROL_PLANE = ("bettley", "cargyll", "dalt")


def _workers(ev: Evaluation) -> tuple[str, ...]:
    return ev.spec.roles.kubernetes.workers


def test_init_waits_for_the_load_balancer_and_the_look_at_the_node_but_the_files_do_not(
    real_evaluation: Evaluation,
) -> None:
    ev = real_evaluation
    init, adopt, config = (ev.command(f"bettley-{n}") for n in ("kubeadm-init", "kubeadm-adopt", "kubeadm-init-config"))
    assert ev.waits_for(init, ev.command("allyrion-haproxy-drop-in"))
    assert ev.waits_for(init, ev.command("allyrion-haproxy-enable"))
    assert ev.waits_for(init, adopt) and ev.waits_for(config, adopt), "nothing is written before the look"
    for step in (adopt, config, ev.command("cargyll-kubeadm-join-config")):
        assert not any("allyrion" in d for d in step.dependencies), step.name


def test_control_plane_joins_are_serialised_after_init(real_evaluation: Evaluation) -> None:
    ev = real_evaluation
    init, cargyll, dalt = (ev.command(n) for n in ("bettley-kubeadm-init", "cargyll-kubeadm-join", "dalt-kubeadm-join"))
    assert ev.waits_for(cargyll, init)
    assert ev.waits_for(dalt, cargyll), "etcd members must join one at a time"
    assert not ev.waits_for(cargyll, dalt)


def test_workers_join_after_init_and_their_own_credentials_in_parallel_with_everything_else(
    real_evaluation: Evaluation,
) -> None:
    ev = real_evaluation
    init = ev.command("bettley-kubeadm-init")
    cp_joins = [ev.command(f"{n}-kubeadm-join") for n in CONTROL_PLANE[1:]]
    joins = {w: ev.command(f"{w}-kubeadm-join") for w in _workers(ev)}
    assert len(joins) == 13
    for worker, join in joins.items():
        credentials = ev.command(f"bettley-join-credentials-for-{worker}")
        assert ev.waits_for(join, init) and ev.waits_for(join, credentials) and ev.waits_for(credentials, init)
        assert not any(ev.waits_for(join, cp) for cp in cp_joins), worker
        assert not any(ev.waits_for(join, other) for name, other in joins.items() if name != worker)


def test_each_join_and_its_credentials_step_re_run_together(real_evaluation: Evaluation) -> None:
    """The credentials step carries the join's script and config digests; the join carries its id."""
    ev = real_evaluation
    for node in (*CONTROL_PLANE[1:], *_workers(ev)):
        join, credentials = ev.command(f"{node}-kubeadm-join"), ev.command(f"bettley-join-credentials-for-{node}")
        config = ev.command(f"{node}-kubeadm-join-config")
        assert join.inputs["triggers"][0] in credentials.inputs["triggers"], node
        assert config.inputs["triggers"][1] in credentials.inputs["triggers"], node
        assert credentials.urn in join.property_dependencies["triggers"], node
        # The address is in both scripts: an IP change re-runs the pair, and the credentials step rejects it.
        assert f"export GT_NODE_IP={ev.spec.node(node).ip}\n" in ev.file(node, "_steps/kubeadm-join.sh")
        assert f"export GT_FOR_IP={ev.spec.node(node).ip}\n" in ev.file("bettley", f"_steps/join-credentials-for-{node}.sh")


def test_provider_follows_every_join_and_cluster_software_follows_in_order(real_evaluation: Evaluation) -> None:
    ev = real_evaluation
    read = ev.command("bettley-read-kubeconfig")
    for worker in _workers(ev):
        assert ev.waits_for(read, ev.command(f"{worker}-kubeadm-join")), worker
    provider = ev.named("goldentooth-kubernetes", "pulumi:providers:kubernetes")
    assert read.urn in provider.property_dependencies["kubeconfig"]
    calico = ev.named("calico", "kubernetes:helm.sh/v3:Release")
    metallb = ev.named("metallb", "kubernetes:helm.sh/v3:Release")
    pool = ev.named("metallb-ipaddresspool")
    l2 = ev.named("metallb-l2advertisement")
    assert all(r.provider.startswith(provider.urn) for r in (calico, metallb, pool, l2))
    assert ev.waits_for(metallb, calico)
    assert ev.waits_for(pool, metallb) and ev.waits_for(l2, metallb)
    assert ev.waits_for(ev.named("argocd", "kubernetes:helm.sh/v3:Release"), pool)


def test_every_kubernetes_resource_names_the_explicit_provider(real_evaluation: Evaluation) -> None:
    provider = real_evaluation.named("goldentooth-kubernetes", "pulumi:providers:kubernetes")
    k8s_resources = [r for r in real_evaluation.resources if r.type.startswith("kubernetes:")]
    assert len(k8s_resources) >= 19
    for r in k8s_resources:
        assert r.provider.startswith(provider.urn + "::"), f"{r.name} uses {r.provider or 'the default provider'}"


def _docs(text: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(text))


def test_init_config_is_kubeadm_v1beta4_with_the_cluster_settings(real_evaluation: Evaluation) -> None:
    init, cluster, kubelet = _docs(real_evaluation.file("bettley", INIT_CONFIG_PATH))
    spec = real_evaluation.spec
    assert {d["apiVersion"] for d in (init, cluster)} == {"kubeadm.k8s.io/v1beta4"}
    assert cluster["kubernetesVersion"] == f"v{spec.versions.kubernetes}" == "v1.32.9"
    assert cluster["controlPlaneEndpoint"] == "10.4.0.10:6443"
    assert cluster["networking"]["podSubnet"] == "192.168.0.0/16"
    assert cluster["networking"]["serviceSubnet"] == "172.16.0.0/20"
    assert init["nodeRegistration"]["criSocket"] == "unix:///var/run/containerd/containerd.sock"
    assert init["certificateKey"] == "{{secret:CERTIFICATE_KEY}}"
    assert init["bootstrapTokens"][0]["token"] == "{{secret:BOOTSTRAP_TOKEN}}"
    assert kubelet == {
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "cgroupDriver": "systemd",
        "imageGCHighThresholdPercent": 85, "imageGCLowThresholdPercent": 75, "imageMaximumGCAge": "24h",
    }
    init_script = real_evaluation.file("bettley", "_steps/kubeadm-init.sh")
    assert "kubeadm init --config" in init_script and "--upload-certs" in init_script


def test_joins_pin_the_ca_and_only_control_planes_carry_the_certificate_key(real_evaluation: Evaluation) -> None:
    for node in (*CONTROL_PLANE[1:], *_workers(real_evaluation)):
        (join,) = _docs(real_evaluation.file(node, JOIN_CONFIG_PATH))
        assert join["apiVersion"] == "kubeadm.k8s.io/v1beta4" and join["kind"] == "JoinConfiguration"
        discovery = join["discovery"]["bootstrapToken"]
        assert discovery["caCertHashes"] == ["{{secret:CA_CERT_HASH}}"]
        assert "unsafeSkipCAVerification" not in discovery
        assert discovery["apiServerEndpoint"] == "10.4.0.10:6443"
        if node in CONTROL_PLANE:
            assert join["controlPlane"]["certificateKey"] == "{{secret:CERTIFICATE_KEY}}"
        else:
            assert "controlPlane" not in join


def test_gpu_node_registers_with_its_labels_and_taint(real_evaluation: Evaluation) -> None:
    (join,) = _docs(real_evaluation.file("velaryon", JOIN_CONFIG_PATH))
    registration = join["nodeRegistration"]
    assert {"name": "node-labels", "value": "gpu=true,arch=amd64"} in registration["kubeletExtraArgs"]
    assert registration["taints"] == [{"key": "gpu", "value": "true", "effect": "NoSchedule"}]
    (plain,) = _docs(real_evaluation.file("erenford", JOIN_CONFIG_PATH))
    assert plain["nodeRegistration"]["taints"] == []
    (cp,) = _docs(real_evaluation.file("cargyll", JOIN_CONFIG_PATH))
    assert cp["nodeRegistration"]["taints"] == [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]


def _k8s_scripts(ev: Evaluation) -> Iterator[tuple[str, str]]:
    k8s_steps = {r.name for r in ev.resources if r.type == "command:remote:Command" and "goldentooth:k8s:" in r.urn}
    for f in ev.files:
        if f.path.startswith("_steps/") and f"{f.node}-{f.path[len('_steps/'):-3]}" in k8s_steps:
            yield f"{f.node}/{f.path}", f.content


def test_no_kubernetes_step_ever_resets_a_node(real_evaluation: Evaluation) -> None:
    scripts = dict(_k8s_scripts(real_evaluation))
    assert len(scripts) >= 45  # 3 per join, the look, the init config, init, the kubeconfig read
    for name, text in scripts.items():
        assert "kubeadm reset" not in text, name
        assert "ignore-preflight-errors" not in text, name


def test_join_and_init_are_skipped_on_a_node_that_already_belongs(real_evaluation: Evaluation) -> None:
    join = real_evaluation.file("erenford", "_steps/kubeadm-join.sh")
    assert join.index("if [ -f /etc/kubernetes/kubelet.conf ]") < join.index("kubeadm join --config")
    init = real_evaluation.file("bettley", "_steps/kubeadm-init.sh")
    assert init.index("if [ -f /etc/kubernetes/admin.conf ]") < init.index("kubeadm init --config")


def test_every_rendered_kubernetes_step_passes_shellcheck(real_evaluation: Evaluation, tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck is not installed (.ci/run installs it)")
    paths = []
    for name, text in _k8s_scripts(real_evaluation):
        path = tmp_path / name.replace("/", "__")
        path.write_text(text)
        paths.append(str(path))
    result = subprocess.run([shellcheck, "-s", "bash", "--severity=warning", *paths], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_steps_that_handle_join_credentials_keep_them_secret(real_evaluation: Evaluation) -> None:
    ev = real_evaluation
    for name in ("bettley-kubeadm-init-config", "cargyll-kubeadm-join-config",
                 "erenford-kubeadm-join-config", "bettley-join-credentials-for-erenford",
                 "bettley-join-credentials-for-cargyll"):
        step = ev.command(name)
        assert step.inputs["stdin"] == "[secret]" and step.inputs["logging"] == "none", name
        assert "stdout" in step.additional_secret_outputs, name
    for name in ("bettley-kubeadm-init", "bettley-read-kubeconfig"):
        step = ev.command(name)  # their output prints the token, the certificate key or admin credentials
        assert step.inputs["logging"] == "none" and "stdout" in step.additional_secret_outputs, name


def test_token_and_certificate_key_come_from_pulumi_random_in_kubeadm_shapes(real_evaluation: Evaluation) -> None:
    ev = real_evaluation
    token_id = ev.named("goldentooth-bootstrap-token-id", "random:index/randomString:RandomString")
    token_secret = ev.named("goldentooth-bootstrap-token-secret", "random:index/randomString:RandomString")
    for part, length in ((token_id, 6), (token_secret, 16)):
        assert part.inputs["length"] == length
        assert part.inputs["upper"] is False and part.inputs["special"] is False
        assert part.inputs["lower"] is True and part.inputs["numeric"] is True
        assert "result" in part.additional_secret_outputs
    key = ev.named("goldentooth-certificate-key", "random:index/randomId:RandomId")
    assert key.inputs["byteLength"] == 32 and "hex" in key.additional_secret_outputs


def test_the_cluster_ca_key_never_passes_through_the_program(real_evaluation: Evaluation) -> None:
    """No CA is generated by the program: the init node's own (adopted, or created by kubeadm init there) is used,
    so neither state, outputs nor any command line can hold its key."""
    ev = real_evaluation
    assert not [r.name for r in ev.resources if r.type.startswith("tls:") and "goldentooth:k8s:" in r.urn]
    for r in ev.resources:
        if r.type == "command:remote:Command":
            assert "/etc/kubernetes/pki/ca.key" not in str(r.inputs.get("create")), r.name
    adopt = ev.command("bettley-kubeadm-adopt")
    assert adopt.inputs.get("stdin") is None and "ca.key" not in ev.file("bettley", "_steps/kubeadm-adopt.sh")


@pytest.fixture
def os_ready_markers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Give every Node a bootstrap resource in `booted` and `first_boot`, as the node layer does, to check that the
    edge's and the Kubernetes layer's first step on each node waits for it (whatever the node layer puts there)."""
    original = nodes.node.Node.__init__
    names: list[str] = []

    def init(
        self: nodes.node.Node, name: str, args: nodes.node.NodeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        original(self, name, args, opts)
        name = f"{args.spec.name}-os-ready-marker"
        marker = random.RandomId(name, byte_length=1, opts=pulumi.ResourceOptions(parent=self))
        self.booted.append(marker)
        self.first_boot.append(marker)
        names.append(name)

    monkeypatch.setattr(nodes.node.Node, "__init__", init)
    return names


def test_first_step_on_every_kubernetes_node_waits_for_its_os(real_plain: dict[str, Any], os_ready_markers: list[str]) -> None:
    ev = evaluate_shared(real_plain)  # evaluated afresh: the test patches Node (tests/conftest.py)
    assert os_ready_markers, "no Node was built"
    marker = {name: ev.named(f"{name}-os-ready-marker") for name in (n.name for n in ev.spec.nodes)}
    assert ev.waits_for(ev.command("allyrion-haproxy-install"), marker["allyrion"])
    assert marker["bettley"].urn in ev.command("bettley-kubeadm-init").dependencies
    for node in (*CONTROL_PLANE[1:], *ev.spec.roles.kubernetes.workers):
        assert marker[node].urn in ev.command(f"{node}-kubeadm-join").dependencies, node


def test_the_bootstrap_files_wait_only_for_the_nodes_last_boot(real_evaluation: Evaluation) -> None:
    """Placing a file needs the node up for good, not its packages: they are written while HAProxy is set up."""
    ev = real_evaluation
    steps = [("bettley", "kubeadm-adopt"), ("bettley", "kubeadm-init-config"), ("cargyll", "kubeadm-join-config"),
             ("velaryon", "kubeadm-join-config")]
    for node, step in steps:
        command, packages = ev.command(f"{node}-{step}"), ev.command(f"{node}-kubernetes-packages")
        if ev.spec.node(node).is_pi:
            # a fresh node's reboot; a node in service reboots in its window, after the bootstrap
            assert ev.waits_for(command, ev.command(f"{node}-wait-fresh-boot")), step
            assert not ev.waits_for(command, ev.command(f"{node}-wait-boot")), step
            assert not ev.waits_for(command, packages), step
        else:
            assert ev.waits_for(command, packages), step


def test_init_is_protected_and_frozen_so_a_version_bump_never_replaces_it(
    evaluate_edited: Any, real_evaluation: Evaluation
) -> None:
    init = real_evaluation.command("bettley-kubeadm-init")
    assert init.protect
    # `connection` too: a protected step is updated in place, and a connection change alone must not re-run it.
    assert set(init.ignore_changes) == {"create", "triggers", "connection"}

    def bump(plain: dict[str, Any]) -> None:
        plain["kubernetes"] = {**plain.get("kubernetes", {}), "upgradeFrom": plain["versions"]["kubernetes"]}
        major, minor, patch = plain["versions"]["kubernetes"].split(".")
        plain["versions"]["kubernetes"] = f"{major}.{minor}.{int(patch) + 1}"

    bumped = evaluate_edited(bump).command("bettley-kubeadm-init")
    # The inputs change (so a replace would be planned) but both changed fields are ignored by the engine.
    assert bumped.inputs["create"] != init.inputs["create"]
    assert bumped.protect and set(bumped.ignore_changes) == {"create", "triggers", "connection"}
