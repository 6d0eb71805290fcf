"""The PKI layer under the mock monitor and with real tools: what it registers for the real stack (adopt the pinned
CA, trust on every node, a certificate step per request after its node's trust), that no secret reaches a command
line, its refusal of unusable certificate requests, its units under `systemd-analyze`, its shell under shellcheck,
and Authelia's rendered configuration under Authelia's own JSON schema."""

import copy
import json
import shutil
import subprocess
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.contributions import CertificateRequest
from offline.evaluate import Evaluation
from pki import renewer
from pki.authelia.component import UNIT as AUTHELIA_UNIT
from pki.authelia.config import configuration_text, pbkdf2_digest, users_text
from pki.ca import CA_UNIT
from pki.certs import request_problems
from pki.contributions import contributions
from pki.identity import known_hosts_line, root_fingerprint
from tests.conftest import evaluate_shared
from tests.nodes_support import COMMAND, Step

ROOT = Path(__file__).resolve().parent.parent
AUTHELIA_SCHEMA = "docs/static/schemas/v4.38/json-schema"
ADMIN = {"name": "admin", "displayName": "Administrator", "email": "admin@goldentooth.net", "groups": ["admins"]}


def _pki_commands(ev: Evaluation) -> dict[str, Any]:
    return {r.name: r for r in ev.resources if r.type == COMMAND and "goldentooth:pki:" in r.urn}


def test_the_real_stack_adopts_the_pinned_ca_and_every_node_trusts_it(real_evaluation: Evaluation) -> None:
    steps = _pki_commands(real_evaluation)
    spec = real_evaluation.spec
    for node in spec.nodes:
        for name in ("pki-trust", "pki-ssh-host", "pki-ssh-user-root"):
            assert f"{node.name}-{name}" in steps, (node.name, name)
    ca = spec.roles.step_ca
    init = steps[f"{ca}-pki-ca-init"]
    assert init.protect and init.retain_on_delete and "triggers" in init.ignore_changes
    params = Step(ca, "pki-ca-init", init).params
    assert params["GT_EXPECTED_FINGERPRINT"] == spec.pki.expected_root_fingerprint
    identity = steps[f"{ca}-pki-ca-identity"]
    for node in spec.nodes:
        trust = steps[f"{node.name}-pki-trust"]
        assert identity.urn in trust.dependencies
        assert trust.raw_inputs["stdin"] == f"[placeholder stdout of {identity.name}]"
        for name in ("pki-ssh-host", "pki-ssh-user-root"):
            assert trust.urn in steps[f"{node.name}-{name}"].dependencies


def test_each_certificate_is_issued_after_its_nodes_trust_with_a_timer(real_evaluation: Evaluation) -> None:
    steps = _pki_commands(real_evaluation)
    for request in contributions(real_evaluation.spec).certificates:
        issue = steps[f"{request.node}-pki-cert-{request.id}"]
        assert steps[f"{request.node}-pki-trust"].urn in issue.dependencies
        params = Step(request.node, issue.name, issue).params
        assert params["GT_TIMER"] == f"cert-renewer@{request.id}.timer"
        assert params["GT_SETTINGS_FILE"] == f"/etc/goldentooth/pki/{request.id}.env"


def test_no_password_reaches_a_command_line_or_the_plan(real_evaluation: Evaluation) -> None:
    for r in _pki_commands(real_evaluation).values():
        assert "[placeholder random password" not in r.raw_inputs["create"], r.name
        stdin = r.raw_inputs.get("stdin")
        if isinstance(stdin, str) and "random password" in stdin:
            assert r.inputs["stdin"] == "[secret]" and r.inputs["logging"] == "none", r.name
            assert {"stdout", "stderr"} <= set(r.additional_secret_outputs), r.name
    for f in real_evaluation.files:
        assert "[placeholder random password" not in f.content, (f.node, f.path)


def test_unusable_certificate_requests_are_refused_with_every_reason() -> None:
    good = CertificateRequest(id="web", node="jast", common_name="web.example", ip_addresses=(IPv4Address("10.4.0.19"),))
    bad = [
        good,
        good,
        CertificateRequest(id="Web Server", node="winterfell", common_name="x", cert_path="relative.crt", mode="600",
                           owner="Root", reload="a\nb"),
    ]
    problems = request_problems(bad, ["jast"])
    assert problems == [
        "certificate 'web' on 'jast': requested twice",
        "certificate 'Web Server' on 'winterfell': no such node",
        "certificate 'Web Server' on 'winterfell': id must be lower-case letters, digits and '-' (it names a systemd "
        "instance)",
        "certificate 'Web Server' on 'winterfell': cert_path 'relative.crt' is not absolute",
        "certificate 'Web Server' on 'winterfell': mode '600' is not an octal mode like 0600",
        "certificate 'Web Server' on 'winterfell': owner 'Root' is not an account name",
        "certificate 'Web Server' on 'winterfell': reload must be one line",
    ]


def test_the_identity_parses_into_outputs_and_refuses_a_garbled_one() -> None:
    identity = "fingerprint " + "ab" * 32 + "\nssh-host-ca ecdsa-sha2-nistp256 AAAA\nssh-user-ca ecdsa-sha2-nistp256 BBBB\n"
    assert root_fingerprint(identity) == "ab" * 32
    assert known_hosts_line(identity) == "@cert-authority * ecdsa-sha2-nistp256 AAAA goldentooth-host-ca"
    assert root_fingerprint("[placeholder stdout of jast-pki-ca-identity]").startswith("[placeholder")
    with pytest.raises(ValueError, match="no root fingerprint"):
        root_fingerprint("fingerprint zz\n")


def _systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.fail("systemd-analyze is not installed (.ci/run installs systemd)")
    return path


def test_units_pass_systemd_analyze_verify_and_the_timer_calendar_is_valid(tmp_path: Path) -> None:
    analyze = _systemd_analyze()
    units = tmp_path / "etc/systemd/system"
    units.mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", tmp_path / "usr/lib/systemd/system", symlinks=True)
    for link in ("bin", "sbin", "lib"):
        (tmp_path / link).symlink_to(f"usr/{link}")
    service, timer = renewer.units()
    for unit in (service, timer):
        (units / unit.name).write_text(unit.text, encoding="utf-8")
    (units / "step-ca.service").write_text(CA_UNIT, encoding="utf-8")
    (units / "authelia.service").write_text(AUTHELIA_UNIT, encoding="utf-8")
    # The programs the units run: the renewal script itself; step-ca and authelia come with their packages.
    for binary, text in (("usr/local/lib/goldentooth/cert-renewer", renewer.RENEWER_TEXT),
                         ("usr/bin/step-ca", "#!/bin/sh\n"), ("usr/bin/authelia", "#!/bin/sh\n"),
                         ("bin/kill", "#!/bin/sh\n")):
        path = tmp_path / binary
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o755)
    done = subprocess.run([analyze, "verify", f"--root={tmp_path}", "cert-renewer@cert-canary.service",
                           "cert-renewer@cert-canary.timer", "step-ca.service", "authelia.service"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    calendar = subprocess.run([analyze, "calendar", renewer.ON_CALENDAR], capture_output=True, text=True)
    assert calendar.returncode == 0, calendar.stderr
    assert "*-*-* *:01/5:00" in calendar.stdout, calendar.stdout


def test_node_side_programs_pass_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck is not installed (.ci/run installs it)")
    done = subprocess.run([shellcheck, "--shell=bash", str(ROOT / "pki/cert_renewer.sh")], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout


@pytest.fixture(scope="module")
def authelia_evaluation(real_plain: dict[str, Any]) -> Evaluation:
    plain = copy.deepcopy(real_plain)
    plain["pki"]["authelia"] = {"enabled": True, "users": [ADMIN]}
    return evaluate_shared(plain)


def test_authelia_steps_pass_shellcheck_and_route_like_haproxy_did(authelia_evaluation: Evaluation,
                                                                    tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.fail("shellcheck is not installed (.ci/run installs it)")
    scripts = [f for f in authelia_evaluation.files if f.path.startswith("_steps/authelia-")]
    assert len(scripts) == 4
    paths = []
    for f in scripts:
        path = tmp_path / Path(f.path).name
        path.write_text(f.content, encoding="utf-8")
        paths.append(str(path))
    done = subprocess.run([shellcheck, "--shell=bash", *paths], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    spec = authelia_evaluation.spec
    (route,) = contributions(spec).http_routes
    # k8s/haproxy/inputs.py's backend: auth.<services> -> the Authelia node :9091 over TLS, /api/health.
    assert (route.name, route.hostname, route.tls, route.check_path) == ("auth", "auth.services.goldentooth.net",
                                                                       True, "/api/health")
    assert [(b.address, b.port) for b in route.servers] == [("10.4.0.19", 9091)]
    steps = _pki_commands(authelia_evaluation)
    service = next(r for r in authelia_evaluation.resources if r.name == "jast-authelia-service")
    assert steps["jast-pki-cert-authelia"].urn in service.dependencies


def _authelia_schema(name: str) -> dict[str, Any]:
    """Authelia's own JSON schema, from its Go module (github.com/authelia/authelia/v4, Apache-2.0) in the module
    cache: `GONOSUMDB=github.com/authelia go mod download github.com/authelia/authelia/v4@v<version>`."""
    gomodcache = subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True).stdout.strip() \
        if shutil.which("go") else ""
    version = "4.38.19"
    path = Path(gomodcache) / f"github.com/authelia/authelia/v4@v{version}" / AUTHELIA_SCHEMA / name
    if not path.is_file():
        pytest.fail(f"Authelia's schema is missing: GONOSUMDB=github.com/authelia go mod download "
                    f"github.com/authelia/authelia/v4@v{version} (then {path} exists)")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def test_authelias_rendered_configuration_satisfies_authelias_schema(authelia_evaluation: Evaluation) -> None:
    import jsonschema

    spec = authelia_evaluation.spec
    assert spec.pki.authelia.version == "4.38.19"
    key = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
                         capture_output=True, text=True, check=True).stdout
    values = {"JWT_SECRET": "j" * 64, "SESSION_SECRET": "s" * 64, "STORAGE_KEY": "k" * 64, "OIDC_HMAC": "h" * 64,
              "OIDC_KEY": key, "ARGOCD_DIGEST": pbkdf2_digest("client-secret", "salt")}
    text = configuration_text(spec)
    for name, value in values.items():
        text = text.replace("{{secret:" + name + "}}", json.dumps(value)[1:-1])
    config = yaml.safe_load(text)
    errors = [f"{list(e.absolute_path)}: {e.message[:160]}"
              for e in jsonschema.Draft202012Validator(_authelia_schema("configuration.json")).iter_errors(config)]
    assert errors == []
    users = yaml.safe_load(users_text(spec).replace("{{secret:USER_ADMIN_DIGEST}}", pbkdf2_digest("pw", "salt")))
    errors = [e.message for e in jsonschema.Draft202012Validator(_authelia_schema("user-database.json")).iter_errors(users)]
    assert errors == []
    # A digest that is not one of Authelia's formats is refused by the same schema: the check has teeth.
    config["identity_providers"]["oidc"]["clients"][0]["client_secret"] = "plain-text"
    assert list(jsonschema.Draft202012Validator(_authelia_schema("configuration.json")).iter_errors(config))


def edge_request(spec: Any) -> CertificateRequest:
    """The request the report proposes for the edge layer: HAProxy's HTTPS bundle for every routed hostname."""
    node = spec.node(spec.roles.haproxy)
    d = spec.domains
    return CertificateRequest(
        id="haproxy", node=node.name, common_name=f"*.{d.services}",
        dns_names=(f"*.{d.services}", f"*.{d.k8s_services}", f"*.{d.nodes}", node.name, d.node_fqdn(node.name)),
        ip_addresses=(node.ip,), cert_path="/etc/haproxy/tls/tls.crt", key_path="/etc/haproxy/tls/tls.key",
        bundle_path="/etc/ssl/private/goldentooth.pem", reload="if systemctl is-active --quiet haproxy; then systemctl reload haproxy; fi",
    )


def test_another_layers_request_is_issued_on_its_node_with_its_bundle(
    real_evaluation: Evaluation
) -> None:
    """The edge layer's contribution (edge/contributions.py) is issued on the load balancer, as requested."""
    ev = real_evaluation
    assert edge_request(ev.spec) in ev.program.contributions.certificates
    steps = _pki_commands(ev)
    issue = steps["allyrion-pki-cert-haproxy"]
    assert steps["allyrion-pki-trust"].urn in issue.dependencies
    params = Step("allyrion", issue.name, issue).params
    assert params["GT_BUNDLE"] == "/etc/ssl/private/goldentooth.pem"
    assert params["GT_SANS"].splitlines() == ["*.services.goldentooth.net", "*.services.k8s.goldentooth.net",
                                              "*.nodes.goldentooth.net", "allyrion", "allyrion.nodes.goldentooth.net",
                                              "10.4.0.10"]
    assert "GT_RELOAD='if systemctl is-active --quiet haproxy; then systemctl reload haproxy; fi'" in params["GT_SETTINGS"]
