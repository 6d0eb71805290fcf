"""Lab: the PKI layer's own steps, exactly as the program registered them, run over real SSH against lab hosts, with
the REAL step-ca (on the CA node) and step CLI (everywhere), built from their Go modules (tools/go-tools.txt).

The CA node's lab host runs step-ca from the layer's own unit file (the systemctl stand-in hands `step-ca.service`
and `cert-renewer@*.service` to lab-run-unit, which runs their ExecStart as their User). Where the program would
pass one step's stdout to another (the CA identity every node's trust step takes on stdin), the runner passes the
real stdout of the step that already ran, as the engine would. Hosts: the CA node, the canary's node (the HAProxy
node) and one node of another hardware model.
"""

import copy
import hashlib
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from config.secrets import SecretValues
from offline.evaluate import Evaluation, evaluate
from pki.contributions import CANARY_DIR, CANARY_RELOADS
from tests.conftest import fake_secret_values
from tests.lab.apply import Run, apply
from tests.lab.node_lab import NodeLab, node_lab, prerequisites
from tests.lab.ssh import Outcome
from tests.nodes_support import COMMAND, Step
from tests.tools import go_tool

pytestmark = pytest.mark.lab

CA, CANARY, OTHER = "jast", "allyrion", "karstark"
NODES = (CA, CANARY, OTHER)
# The lab lowers the services provisioner's floor to one minute, so a certificate can lapse while the test waits.
LAB_PKI = {"enabled": True, "tls": {"minDuration": "1m"}}
PLACEHOLDER = "[placeholder stdout of {}]"


def _evaluate(real_plain: dict[str, Any], pki: dict[str, Any], secrets: SecretValues | None = None) -> Evaluation:
    plain = copy.deepcopy(real_plain)
    plain["pki"] = pki
    return evaluate(plain, secrets or fake_secret_values(), provider_config={"aws:region": "us-east-1"})


def pki_steps(ev: Evaluation, nodes: tuple[str, ...]) -> list[Step]:
    """Every step of the PKI layer on `nodes`, in registration order (by URN, a stable order)."""
    steps = []
    for r in ev.resources:
        if r.type != COMMAND or "goldentooth:pki:" not in r.urn:
            continue
        node = next((n for n in nodes if r.name.startswith(f"{n}-pki-")), None)
        if node is not None:
            steps.append(Step(node, r.name.removeprefix(f"{node}-"), r))
    return steps


@dataclass
class PkiLab:
    lab: NodeLab
    ev: Evaluation
    steps: list[Step]
    stdout: dict[str, str] = field(default_factory=dict)  # resource name -> real stdout of steps that ran

    def run_step(self, step: Step) -> Outcome:
        stdin = step.stdin or ""
        for name, out in self.stdout.items():
            stdin = stdin.replace(PLACEHOLDER.format(name), out)
        assert "[placeholder stdout" not in stdin, f"{step.resource.name} takes the output of a step that has not run"
        outcome = self.lab.client.run(str(step.connection["user"]), str(step.connection["host"]), step.create,
                                      stdin=stdin)
        if outcome.returncode == 0:
            self.stdout[step.resource.name] = outcome.stdout
        return outcome

    def converge(self) -> Run:
        return apply(self.steps, self.run_step, workers=4)

    def sh(self, node: str, command: str) -> Outcome:
        return self.lab.sh(node, command)

    def ok(self, node: str, command: str) -> str:
        outcome = self.sh(node, command)
        assert outcome.returncode == 0, f"{node}: {command}\n{outcome.stdout}\n{outcome.stderr}"
        return outcome.stdout

    def read(self, node: str, path: str) -> str:
        return self.lab.hosts[node].read(path)

    def step(self, node: str, name: str) -> Step:
        return next(s for s in self.steps if s.node == node and s.name == name)

    def secret(self, resource: str) -> str:
        """A pulumi-random result as the evaluation holds it (placeholders offline), for commands of the test's own."""
        return f"[placeholder random password of {resource}]"


def _root_fingerprint(pem: str) -> str:
    der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=pem.encode(), capture_output=True,
                         check=True).stdout
    return hashlib.sha256(der).hexdigest()


@pytest.fixture(scope="module")
def pki_lab(real_plain: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[PkiLab]:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the PKI lab cannot run under CI: {reason}")
        pytest.skip(reason)
    binaries = {"step-cli/usr/bin/step": go_tool("step"), "step-ca/usr/bin/step-ca": go_tool("step-ca")}
    ev = _evaluate(real_plain, LAB_PKI)
    with node_lab(ev, NODES, tmp_path_factory.mktemp("pki-lab"), package_files=binaries) as lab:
        for name, host in lab.hosts.items():
            real = ["cert-renewer@*.service", *(["step-ca.service"] if name == CA else [])]
            (host.root / "etc/lab-host/real-units").write_text("\n".join(real) + "\n", encoding="utf-8")
        # The PKI's first steps wait for the node layer (os_ready), whose chrony step synchronises the clock; this lab
        # runs the PKI's steps alone, so it starts from that state (apt refuses repositories before it).
        for name in lab.hosts:
            lab.sh(name, "touch /run/lab/clock-synced")
        instance = PkiLab(lab, ev, pki_steps(ev, NODES))
        first = instance.converge()
        for step in first.order:  # shown with -s: where the converge spends its time
            print(f"{step.resource.name}: {first.outcomes[step.urn].seconds:.1f}s")
        log = lab.hosts[CA].root / "var/log/lab/step-ca.service.log"
        assert first.failed is None, first.report() + (f"\n--- step-ca\n{log.read_text()}" if log.exists() else "")
        yield instance


def test_the_layer_initialises_a_real_step_ca_that_every_node_trusts(pki_lab: PkiLab) -> None:
    lab = pki_lab
    root = lab.read(CA, "/etc/step-ca/certs/root_ca.crt")
    fingerprint = _root_fingerprint(root)
    identity = lab.stdout[f"{CA}-pki-ca-identity"]
    assert f"fingerprint {fingerprint}\n" in identity
    for node in NODES:
        assert _root_fingerprint(lab.ok(node, "cat /etc/ssl/certs/goldentooth.pem")) == fingerprint, node
        assert f'"fingerprint": "{fingerprint}"' in lab.read(node, "/root/.step/config/defaults.json"), node
        # The one ca-url, the CA node's address, is covered by the CA's certificate: health over verified TLS.
        assert "ok" in lab.ok(node, "STEPPATH=/root/.step step ca health")
    listening = lab.ok(CA, "ss -Hltn")
    assert "10.4.0.19:9443" in listening and "0.0.0.0:9443" not in listening and "*:9443" not in listening
    assert lab.ok(CA, "stat -c '%a %U' /etc/step-ca /etc/step-ca/secrets").split() == ["700", "step", "700", "step"]
    # The root key's password exists only in a private directory during init: nowhere on disk afterwards.
    root_password = lab.secret("pki-root")
    assert lab.sh(CA, f"grep -rlF -- '{root_password}' /etc /root /var /tmp /run").stdout == ""
    assert lab.ok(CA, "cat /etc/step-ca/.password_intermediate.txt") == lab.secret("pki-online")


def test_every_issued_certificate_chains_to_the_root(pki_lab: PkiLab, tmp_path: Path) -> None:
    lab = pki_lab
    root = tmp_path / "root.pem"
    root.write_text(lab.read(CA, "/etc/step-ca/certs/root_ca.crt"), encoding="utf-8")
    chain = tmp_path / "canary.crt"
    chain.write_text(lab.read(CANARY, f"{CANARY_DIR}/tls.crt"), encoding="utf-8")
    verified = subprocess.run(["openssl", "verify", "-CAfile", str(root), "-untrusted", str(chain), str(chain)],
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # The bundle is HAProxy's crt format (chain, then key), and the real haproxy accepts it.
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(lab.read(CANARY, f"{CANARY_DIR}/bundle.pem"), encoding="utf-8")
    assert bundle.read_text() == chain.read_text() + lab.read(CANARY, f"{CANARY_DIR}/tls.key")
    config = tmp_path / "haproxy.cfg"
    config.write_text(f"defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n"
                      f"frontend https\n  bind 127.0.0.1:8443 ssl crt {bundle}\n", encoding="utf-8")
    checked = subprocess.run(["haproxy", "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    host_ca = lab.read(CA, "/etc/step-ca/certs/ssh_host_ca_key.pub")
    user_ca = lab.read(CA, "/etc/step-ca/certs/ssh_user_ca_key.pub")
    for node in NODES:
        host = lab.ok(node, "ssh-keygen -L -f /etc/ssh/ssh_host_ed25519_key-cert.pub")
        assert _ssh_fingerprint(host_ca, tmp_path) in host and "host certificate" in host, node
        for principal in (node, f"{node}.nodes.goldentooth.net", f"{node}.goldentooth.net"):
            assert f"\n                {principal}\n" in host, (node, principal)
        user = lab.ok(node, "ssh-keygen -L -f /root/.ssh/id_ed25519-cert.pub")
        assert _ssh_fingerprint(user_ca, tmp_path) in user and "user certificate" in user, node
        assert f'Key ID: "root@{node}"' in user


def _ssh_fingerprint(public_key: str, tmp_path: Path) -> str:
    path = tmp_path / "ca.pub"
    path.write_text(public_key, encoding="utf-8")
    return subprocess.run(["ssh-keygen", "-l", "-f", str(path)], capture_output=True, text=True,
                          check=True).stdout.split()[1]


def _ca_state(lab: PkiLab) -> dict[str, str]:
    files = lab.ok(CA, "find /etc/step-ca/certs /etc/step-ca/secrets /etc/step-ca/config -type f | sort").split()
    return {f: hashlib.sha256(lab.read(CA, f).encode(errors="surrogateescape")).hexdigest()
            for f in files if not f.endswith("root_ca_key") and not f.endswith("_key")} | {
        f: lab.ok(CA, f"sha256sum {f}") for f in files if f.endswith("_key")}


def test_a_second_converge_changes_nothing_and_keeps_the_ca(pki_lab: PkiLab) -> None:
    before = _ca_state(pki_lab)
    second = pki_lab.converge()
    assert second.failed is None, second.report()
    assert second.changes() == {}, second.changes()
    assert _ca_state(pki_lab) == before


def _ssh(lab: PkiLab, key: Path, known_hosts: Path, node: str) -> subprocess.CompletedProcess[str]:
    address = str(lab.ev.spec.node(node).ip)
    return subprocess.run(
        ["ip", "netns", "exec", lab.lab.client.namespace, "ssh", "-F", "/dev/null", "-i", str(key),
         "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
         "-o", f"UserKnownHostsFile={known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
         "-o", "ConnectTimeout=5", f"root@{address}", "echo logged-in"],
        capture_output=True, text=True, timeout=60,
    )


def test_sshd_accepts_user_certificates_of_the_ca_and_clients_trust_hosts_by_the_host_ca(
    pki_lab: PkiLab, tmp_path: Path
) -> None:
    lab = pki_lab
    # allyrion's root key, signed by the user CA; not in karstark's authorized_keys, so only the certificate counts.
    key = tmp_path / "id_ed25519"
    key.write_text(lab.read(CANARY, "/root/.ssh/id_ed25519"), encoding="utf-8")
    key.chmod(0o600)
    (tmp_path / "id_ed25519-cert.pub").write_text(lab.read(CANARY, "/root/.ssh/id_ed25519-cert.pub"), encoding="utf-8")
    known = tmp_path / "known_hosts"
    known.write_text(lab.stdout[f"{CA}-pki-ca-identity"].split("ssh-host-ca ", 1)[1].split("\n", 1)[0]
                     .join(["@cert-authority * ", "\n"]), encoding="utf-8")
    accepted = _ssh(lab, key, known, OTHER)
    assert accepted.returncode == 0 and accepted.stdout.strip() == "logged-in", accepted.stderr

    # The same key without its certificate, and a key whose certificate another CA signed: refused.
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "id_ed25519").write_text(key.read_text(encoding="utf-8"), encoding="utf-8")
    (bare / "id_ed25519").chmod(0o600)
    assert _ssh(lab, bare / "id_ed25519", known, OTHER).returncode == 255
    rogue = tmp_path / "rogue"
    rogue.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(rogue / "ca")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(rogue / "id_ed25519")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-s", str(rogue / "ca"), "-I", "rogue", "-n", "root", "-V", "-5m:+1h",
                    str(rogue / "id_ed25519.pub")], check=True)
    refused = _ssh(lab, rogue / "id_ed25519", known, OTHER)
    assert refused.returncode == 255 and "Permission denied" in refused.stderr, refused.stderr

    # A client trusting another host CA refuses the host: the known_hosts line is what made the first login work.
    other_ca = (rogue / "ca.pub").read_text(encoding="utf-8").split()
    wrong = tmp_path / "wrong_known_hosts"
    wrong.write_text(f"@cert-authority * {other_ca[0]} {other_ca[1]}\n", encoding="utf-8")
    distrusted = _ssh(lab, key, wrong, OTHER)
    assert distrusted.returncode == 255 and "Host key verification failed" in distrusted.stderr, distrusted.stderr


def _serial(lab: PkiLab, node: str, command: str) -> str:
    return lab.ok(node, command).strip()


def test_timers_units_renew_x509_and_ssh_certificates(pki_lab: PkiLab) -> None:
    lab = pki_lab
    # Not due: the unit succeeds and leaves the certificate alone.
    out = lab.ok(CANARY, "systemctl start cert-renewer@cert-canary.service")
    assert "not due" in out
    # SSH renewals, made due by lowering the threshold in their settings: sshpop (host) and re-signing (user).
    for node in (OTHER, CA):
        for cert_id, cert in (("ssh-host", "/etc/ssh/ssh_host_ed25519_key-cert.pub"),
                              ("ssh-user-root", "/root/.ssh/id_ed25519-cert.pub")):
            serial = f"ssh-keygen -L -f {cert} | awk '/Serial:/ {{print $2}}'"
            before = _serial(lab, node, serial)
            lab.ok(node, f"sed -i 's/^GT_RENEW_AT=.*/GT_RENEW_AT=0/' /etc/goldentooth/pki/{cert_id}.env")
            assert "renewed" in lab.ok(node, f"systemctl start cert-renewer@{cert_id}.service")
            assert _serial(lab, node, serial) != before, (node, cert_id)


def _issue_short_canary(lab: PkiLab) -> None:
    """A one-minute certificate in the canary's files, issued by hand through the services provisioner."""
    password = lab.secret("pki-services")
    lab.ok(CANARY, f"cd {CANARY_DIR} && printf '%s' '{password}' >/run/pw && STEPPATH=/root/.step step ca certificate "
                   f"cert-canary.goldentooth.net tls.crt tls.key --san cert-canary.goldentooth.net --san localhost "
                   f"--san allyrion --san 10.4.0.10 --provisioner services --provisioner-password-file /run/pw "
                   f"--not-after 1m --force >/dev/null 2>&1; rm -f /run/pw")


def _valid(lab: PkiLab) -> bool:
    return lab.sh(CANARY, f"step certificate verify {CANARY_DIR}/tls.crt --roots /etc/ssl/certs/goldentooth.pem"
                  ).returncode == 0


def _reloads(lab: PkiLab) -> int:
    return len(lab.ok(CANARY, f"cat {CANARY_RELOADS}").splitlines())


def _bundle_current(lab: PkiLab) -> bool:
    return lab.read(CANARY, f"{CANARY_DIR}/bundle.pem") == (
        lab.read(CANARY, f"{CANARY_DIR}/tls.crt") + lab.read(CANARY, f"{CANARY_DIR}/tls.key"))


def test_a_lapsed_certificate_is_renewed_by_its_timer_and_reissued_by_a_converge(pki_lab: PkiLab) -> None:
    lab = pki_lab
    _issue_short_canary(lab)
    assert _valid(lab)
    time.sleep(65)
    assert not _valid(lab), "the one-minute certificate should have lapsed"
    reloads = _reloads(lab)
    out = lab.ok(CANARY, "systemctl start cert-renewer@cert-canary.service")
    assert "renewed" in out and _valid(lab), out
    # The reload hook ran exactly once for this renewal (G-PKI-4), and the bundle holds the renewed certificate.
    assert _reloads(lab) == reloads + 1
    assert _bundle_current(lab)
    # The renewal keeps the lifetime (one minute): let it lapse again; this time the converge's issue step reissues.
    time.sleep(65)
    assert not _valid(lab)
    outcome = lab.run_step(lab.step(CANARY, "pki-cert-cert-canary"))
    assert outcome.returncode == 0, outcome.stderr
    assert any("issued" in line for line in outcome.changes), outcome.stdout
    assert _valid(lab) and _bundle_current(lab) and _reloads(lab) == reloads + 2
    # Reissued with the canary's own lifetime (30 minutes), not the hand-made minute.
    lifetime = lab.ok(CANARY, f"step certificate inspect --format json {CANARY_DIR}/tls.crt | python3 -c "
                              "'import json,sys,datetime as d; v=json.load(sys.stdin)[\"validity\"]; "
                              "f=lambda s: d.datetime.fromisoformat(s.replace(\"Z\",\"+00:00\")); "
                              "print(int((f(v[\"end\"])-f(v[\"start\"])).total_seconds()))'")
    assert 29 * 60 <= int(lifetime) <= 32 * 60, lifetime


def test_adoption_checks_the_pinned_root_and_refuses_a_partial_ca(pki_lab: PkiLab, real_plain: dict[str, Any]) -> None:
    lab = pki_lab
    fingerprint = _root_fingerprint(lab.read(CA, "/etc/step-ca/certs/root_ca.crt"))
    pinned = pki_steps(_evaluate(real_plain, {**LAB_PKI, "expectedRootFingerprint": fingerprint}), (CA,))
    init = next(s for s in pinned if s.name == "pki-ca-init")
    adopted = lab.run_step(init)
    assert adopted.returncode == 0 and adopted.changes == [], adopted.stderr
    other = pki_steps(_evaluate(real_plain, {**LAB_PKI, "expectedRootFingerprint": "0" * 64}), (CA,))
    refused = lab.run_step(next(s for s in other if s.name == "pki-ca-init"))
    assert refused.returncode != 0 and "refusing to adopt another CA" in refused.stderr, refused.stderr
    lab.ok(CA, "mv /etc/step-ca/config/ca.json /etc/step-ca/ca.json.aside")
    try:
        partial = lab.run_step(lab.step(CA, "pki-ca-init"))
        assert partial.returncode != 0 and "neither a CA to adopt nor empty" in partial.stderr, partial.stderr
        assert _root_fingerprint(lab.read(CA, "/etc/step-ca/certs/root_ca.crt")) == fingerprint
    finally:
        lab.ok(CA, "mv /etc/step-ca/ca.json.aside /etc/step-ca/config/ca.json")
