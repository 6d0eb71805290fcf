"""The rendered HAProxy config: accepted by the real `haproxy -c`, shaped as the API load balancer needs, and
never holding the stats password. Write steps validate before installing and reload only on change."""

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from cluster.registry import collect_contributions
from components.contributions import Backend, Contributions, HttpRoute, TcpRoute
from config.spec import ClusterSpec
from edge.component import CORE_PATH, ENV_PATH, SERVICES_PATH
from edge.config import STATS_PASSWORD_ENV, HaproxyInputs, core_config, services_config
from edge.inputs import haproxy_inputs
from offline.evaluate import Evaluation
from tests.conftest import TEST_SECRETS, Edit

LB = "allyrion"


def _inputs(spec: ClusterSpec, extra: Contributions | None = None) -> HaproxyInputs:
    return haproxy_inputs(spec, collect_contributions(spec) + (extra or Contributions()))


def _haproxy() -> str:
    path = shutil.which("haproxy")
    if path is None:
        pytest.fail("haproxy is not installed (.ci/run installs it); the rendered config must be checked by it")
    return path


def _tls_bundle(tmp_path: Path) -> Path:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
         "-subj", "/CN=haproxy-test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(cert.read_text() + key.read_text())
    return bundle


def _check(files: list[Path], password: str = "stand-in") -> subprocess.CompletedProcess[str]:
    args = [_haproxy(), "-c"]
    for f in files:
        args += ["-f", str(f)]
    return subprocess.run(args, capture_output=True, text=True, env={STATS_PASSWORD_ENV: password, "PATH": "/usr/bin:/bin"})


def test_haproxy_accepts_the_rendered_core_and_services_config(real_evaluation: Evaluation, tmp_path: Path) -> None:
    core = tmp_path / "10-core.cfg"
    core.write_text(real_evaluation.file(LB, CORE_PATH))
    services = tmp_path / "20-services.cfg"
    text = services_config(_inputs(real_evaluation.spec))
    assert "/etc/ssl/private/goldentooth.pem" in text
    services.write_text(text.replace("/etc/ssl/private/goldentooth.pem", str(_tls_bundle(tmp_path))))
    result = _check([core, services])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[WARNING]" not in result.stdout + result.stderr


def test_haproxy_rejects_a_broken_config(tmp_path: Path) -> None:
    broken = tmp_path / "broken.cfg"
    broken.write_text("frontend x\n    mode tcp\n    bind 127.0.0.1:6443\n    default_backend missing\n")
    assert _check([broken]).returncode != 0


def test_api_frontend_balances_the_control_plane_with_health_checks(real_evaluation: Evaluation) -> None:
    core = real_evaluation.file(LB, CORE_PATH)
    spec = real_evaluation.spec
    assert f"bind {spec.node(LB).ip}:6443" in core
    assert "balance roundrobin" in core
    servers = [line.split()[1:3] for line in core.splitlines() if line.strip().startswith("server ")]
    assert servers == [[n.name, f"{n.ip}:6443"] for n in spec.nodes_named(spec.roles.kubernetes.control_plane)]
    for line in core.splitlines():
        if line.strip().startswith("server "):
            assert "check" in line and "fall 3 rise 2" in line
    for needle in ("bind *:8404", "stats auth nathan:", "bind *:8405", "prometheus-exporter", "log /dev/log local0",
                   "timeout client"):
        assert needle in core


def test_metallb_backends_really_run_their_http_checks(real_evaluation: Evaluation) -> None:
    services = services_config(_inputs(real_evaluation.spec))
    blocks = services.split("\nbackend ")[1:]
    checked = {b.split("\n", 1)[0]: b for b in blocks if "http-check send" in b}
    assert {"k8s-argocd", "k8s-httpbin", "k8s-p5js-sketches"} <= set(checked)
    for name, block in checked.items():
        assert "option httpchk" in block, f"{name}: http-check send is ignored without option httpchk"
    assert "server argocd-metallb 10.4.11.0:80" in checked["k8s-argocd"]
    assert "server httpbin-metallb 10.4.11.1:80" in checked["k8s-httpbin"]
    assert "http-request set-header Host p5js-sketches.metallb.k8s.goldentooth.net" in checked["k8s-p5js-sketches"]


def test_the_stats_password_lives_only_in_the_environment_file_as_a_placeholder(real_evaluation: Evaluation) -> None:
    core = real_evaluation.file(LB, CORE_PATH)
    assert f'"${{{STATS_PASSWORD_ENV}}}"' in core
    env = real_evaluation.file(LB, ENV_PATH)
    assert "{{secret:HAPROXY_STATS_PASSWORD}}" in env
    rendered = "".join(f.content for f in real_evaluation.files if f.node == LB)
    assert TEST_SECRETS["haproxyStatsPassword"] not in rendered
    env_step = real_evaluation.command("allyrion-haproxy-env")
    assert env_step.inputs["stdin"] == "[secret]" and env_step.inputs["logging"] == "none"


def test_config_writes_validate_with_haproxy_and_reload_only_on_change(real_evaluation: Evaluation) -> None:
    for name, path in (("allyrion-haproxy-core-cfg", CORE_PATH),):
        script = real_evaluation.file(LB, f"_steps/{name.removeprefix('allyrion-')}.sh")
        assert f"export GT_PATH={path}" in script
        assert "haproxy -c -q -f" in script and "GT_ON_CHANGE='systemctl reload-or-restart haproxy'" in script


def test_the_https_router_is_deployed_only_with_the_pki_layers_bundle(
    real_evaluation: Evaluation, evaluate_edited: Callable[[Edit], Evaluation]
) -> None:
    """HAProxy refuses a config whose `crt` file is missing. With the PKI layer on (the real stack), the router's
    file step waits for the step that issues the bundle on the load balancer; with it off, no step writes it."""
    router = real_evaluation.command("allyrion-haproxy-services-cfg")
    bundle = real_evaluation.one("command:remote:Command", "allyrion-pki-cert-haproxy")
    assert real_evaluation.waits_for(router, bundle)
    without_pki = evaluate_edited(lambda plain: plain.setdefault("pki", {}).update({"enabled": False}))
    assert all(f.path != SERVICES_PATH for f in without_pki.files)
    assert not any(r.name == "allyrion-haproxy-services-cfg" for r in without_pki.resources)


def test_a_route_any_layer_contributes_is_served_and_a_route_claimed_twice_is_refused(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    spec = real_evaluation.spec
    extra = Contributions(
        tcp_routes=(TcpRoute("nomad-rpc", 4647, (Backend("fenn", "10.4.0.15", 4647),)),),
        http_routes=(HttpRoute("wiki", f"wiki.{spec.domains.services}", (Backend("fenn", "10.4.0.15", 8080),)),),
    )
    inputs = _inputs(spec, extra)
    core, services = core_config(inputs), services_config(inputs)
    assert f"frontend nomad-rpc\n    mode tcp\n    bind {spec.node(LB).ip}:4647" in core
    assert "    server fenn 10.4.0.15:4647 check inter 2s fall 3 rise 2" in core
    assert f"use_backend wiki if {{ req.hdr(host),field(1,:),lower -m str wiki.{spec.domains.services} }}" in services
    (tmp_path / "10-core.cfg").write_text(core)
    assert _check([tmp_path / "10-core.cfg"]).returncode == 0
    with pytest.raises(ValueError, match="HTTP route hostname contributed twice"):
        _inputs(spec, Contributions(http_routes=(HttpRoute("grafana-2", f"grafana.{spec.domains.services}",
                                                           (Backend("fenn", "10.4.0.15", 3000),)),)))
    with pytest.raises(ValueError, match="TCP route port contributed twice"):
        _inputs(spec, Contributions(tcp_routes=(TcpRoute("other-api", 6443, (Backend("fenn", "10.4.0.15", 1),)),)))
    with pytest.raises(ValueError, match="more than one HTTP route is the default"):
        _inputs(spec, Contributions(http_routes=(HttpRoute("wiki", "wiki.example", (Backend("f", "10.4.0.15", 1),),
                                                           default=True),)))


def test_the_kubernetes_layer_contributes_its_api_and_app_routes_like_any_other(real_evaluation: Evaluation) -> None:
    from k8s.contributions import contributions

    spec = real_evaluation.spec
    own = contributions(spec)
    assert [r.name for r in own.tcp_routes] == ["k8s-api-server"]
    assert {r.name for r in own.http_routes} >= {"k8s-argocd", "k8s-p5js-sketches", "k8s-httpbin"}
    assert [(r.name, r.type) for r in own.dns_records] == [(f"cp.k8s.{spec.domains.base}", "A")]
