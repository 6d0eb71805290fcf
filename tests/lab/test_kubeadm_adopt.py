"""Lab: the kubeadm bootstrap's steps on the init node of the live cluster, as the program registered them, over
real SSH to a lab host seeded like bettley today: a cluster CA (key included) in /etc/kubernetes/pki, an
`admin.conf` that embeds it with kubeadm's default context `kubernetes-admin@kubernetes`, and a running API
server's manifest advertising bettley's address. Real bash and openssl on the host; kubeadm is never called.

1. As registered (no CA pinned): the look adopts the CA, the init config is placed, init does nothing but print
   the pin of the CA on disk (what openssl computes here), and the kubeconfig read hands out admin.conf. The CA
   and its key are byte-identical afterwards; a second run changes nothing.
2. With `kubernetes.caFingerprint` pinning another CA: the look stops with the node, the file and both SHA-256
   fingerprints, and nothing is written (no init config, the CA untouched); the steps after it do not run.
3. With config giving bettley another address than its API server advertises: the look stops and says how.
"""

import base64
import copy
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from k8s.kubeadm.config import INIT_CONFIG_PATH, PKI_DIR
from offline.evaluate import Evaluation, evaluate
from tests.conftest import fake_secret_values
from tests.lab.lab_ca import LabCa
from tests.lab.node_lab import NodeLab, node_lab, prerequisites
from tests.nodes_support import COMMAND, Step

pytestmark = pytest.mark.lab
NODE = "bettley"
STEPS = ("kubeadm-adopt", "kubeadm-init-config", "kubeadm-init", "read-kubeconfig")
ADMIN_CONF = "/etc/kubernetes/admin.conf"
MANIFEST = "/etc/kubernetes/manifests/kube-apiserver.yaml"


def _require_lab() -> None:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the SSH lab, but {reason}")
        pytest.skip(reason)


def _steps(ev: Evaluation) -> list[Step]:
    by_name = {r.name: r for r in ev.resources if r.type == COMMAND}
    return [Step(NODE, s, by_name[f"{NODE}-{s}"]) for s in STEPS]


def _fingerprint(pem: bytes) -> str:
    der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=pem, capture_output=True, check=True).stdout
    return hashlib.sha256(der).hexdigest()


def _pin(pem: bytes) -> str:
    public = subprocess.run(["openssl", "x509", "-noout", "-pubkey"], input=pem, capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=public, capture_output=True,
                         check=True).stdout
    return "sha256:" + hashlib.sha256(der).hexdigest()


def _admin_conf(ca_pem: bytes, server: str) -> str:
    data = base64.b64encode(ca_pem).decode()
    return (f"apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {data}\n    server: {server}\n"
            "  name: kubernetes\ncontexts:\n- context:\n    cluster: kubernetes\n    user: kubernetes-admin\n"
            "  name: kubernetes-admin@kubernetes\ncurrent-context: kubernetes-admin@kubernetes\nkind: Config\n"
            "users:\n- name: kubernetes-admin\n  user:\n    client-certificate-data: Y2VydA==\n"
            "    client-key-data: a2V5\n")


def _seed(lab: NodeLab, ca: LabCa, advertised: str) -> None:
    pem = ca.cert.read_bytes()
    files = {
        f"{PKI_DIR}/ca.crt": pem.decode(),
        f"{PKI_DIR}/ca.key": ca.key.read_text(),
        ADMIN_CONF: _admin_conf(pem, "https://10.4.0.10:6443"),
        MANIFEST: f"spec:\n  containers:\n  - command:\n    - kube-apiserver\n    - --advertise-address={advertised}\n",
        # the live node's kubelet is joined: the node is in service (it reboots in its window, not at once)
        "/etc/kubernetes/kubelet.conf": _admin_conf(pem, "https://10.4.0.10:6443"),
    }
    for path, content in files.items():
        quoted = content.replace("'", "'\\''")
        done = lab.sh(NODE, f"mkdir -p \"$(dirname {path})\" && printf '%s' '{quoted}' > {path} && chmod 600 {path}")
        assert done.returncode == 0, done.stderr


def _digests(lab: NodeLab) -> str:
    return lab.sh(NODE, f"sha256sum {PKI_DIR}/ca.crt {PKI_DIR}/ca.key").stdout


def _evaluate(plain: dict[str, Any], **kubernetes: Any) -> Evaluation:
    edited = copy.deepcopy(plain)
    edited["kubernetes"] = {**edited.get("kubernetes", {}), **kubernetes}
    return evaluate(edited, fake_secret_values(), provider_config={"aws:region": "us-east-1"})


@pytest.fixture
def lab(real_plain: dict[str, Any], tmp_path: Path) -> Iterator[tuple[NodeLab, LabCa]]:
    _require_lab()
    ev = _evaluate(real_plain)
    (tmp_path / "ca").mkdir()
    ca = LabCa.create(tmp_path / "ca", common_name="kubernetes")
    with node_lab(ev, [NODE], tmp_path / "lab") as started:
        yield started, ca


def test_the_live_ca_is_adopted_byte_identical_and_its_pin_read_back(
    real_plain: dict[str, Any], lab: tuple[NodeLab, LabCa]
) -> None:
    node_lab_, ca = lab
    _seed(node_lab_, ca, str(node_lab_.ev.spec.node(NODE).ip))
    before = _digests(node_lab_)
    steps = _steps(node_lab_.ev)
    first = node_lab_.apply(steps)
    assert first.failed is None, first.report()
    by_name = {s.resource.name: first.outcomes[s.urn] for s in first.order}
    fingerprint = _fingerprint(ca.cert.read_bytes())
    assert f"adopting the existing cluster CA {PKI_DIR}/ca.crt (SHA-256 {fingerprint})" in by_name[
        f"{NODE}-kubeadm-adopt"].stdout
    init = by_name[f"{NODE}-kubeadm-init"]
    assert "not running kubeadm init" in init.stdout and "changed:" not in init.stdout
    assert init.stdout.strip().splitlines()[-1] == _pin(ca.cert.read_bytes())
    assert "kubernetes-admin@kubernetes" in by_name[f"{NODE}-read-kubeconfig"].stdout
    assert _digests(node_lab_) == before, "the CA and its key must be byte-identical"
    assert node_lab_.sh(NODE, f"test -s {INIT_CONFIG_PATH}").returncode == 0

    second = node_lab_.apply(steps)
    assert second.failed is None, second.report()
    assert second.changes() == {}
    assert _digests(node_lab_) == before


def test_a_pinned_other_ca_stops_the_bootstrap_with_both_fingerprints_and_nothing_written(
    real_plain: dict[str, Any], lab: tuple[NodeLab, LabCa], tmp_path: Path
) -> None:
    node_lab_, ca = lab
    _seed(node_lab_, ca, str(node_lab_.ev.spec.node(NODE).ip))
    before = _digests(node_lab_)
    (tmp_path / "other").mkdir()
    other = LabCa.create(tmp_path / "other", common_name="kubernetes")
    pinned = _fingerprint(other.cert.read_bytes())
    colons = ":".join(pinned[i:i + 2] for i in range(0, 64, 2)).upper()  # as `openssl x509 -fingerprint` prints it
    run = node_lab_.apply(_steps(_evaluate(real_plain, caFingerprint=colons)))
    assert run.failed is not None and run.failed.resource.name == f"{NODE}-kubeadm-adopt", run.report()
    err = run.outcomes[run.failed.urn].stderr
    assert NODE in err and f"{PKI_DIR}/ca.crt" in err, err
    assert _fingerprint(ca.cert.read_bytes()) in err and pinned in err, err
    assert [s.resource.name for s in run.order] == [f"{NODE}-kubeadm-adopt"], "nothing may run after the look"
    assert node_lab_.sh(NODE, f"test -e {INIT_CONFIG_PATH}").returncode != 0, "the init config was written"
    assert _digests(node_lab_) == before

    matching = node_lab_.apply(_steps(_evaluate(real_plain, caFingerprint=_fingerprint(ca.cert.read_bytes()))))
    assert matching.failed is None, matching.report()
    assert _digests(node_lab_) == before


def test_a_control_plane_whose_address_moved_is_refused_with_how_to_change_it(
    real_plain: dict[str, Any], lab: tuple[NodeLab, LabCa]
) -> None:
    node_lab_, ca = lab
    _seed(node_lab_, ca, "10.4.0.99")
    run = node_lab_.apply(_steps(node_lab_.ev))
    assert run.failed is not None and run.failed.resource.name == f"{NODE}-kubeadm-adopt", run.report()
    err = run.outcomes[run.failed.urn].stderr
    assert "advertises 10.4.0.99" in err and str(node_lab_.ev.spec.node(NODE).ip) in err
    assert "Changing a node's address" in err
    assert node_lab_.sh(NODE, f"test -e {INIT_CONFIG_PATH}").returncode != 0
