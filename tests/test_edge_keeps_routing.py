"""HAProxy keeps routing :80/:443 through a first `up` against the live cluster (issue 11 item 3).

The Ansible-era HAProxy serves the web routes with the bundle at /etc/ssl/private/goldentooth.pem. The drop-in's
restart moves the unit to goldentooth.d/; the services file is written before it (when a bundle is on the node),
so the restart loads the routes with the core. Where no bundle exists yet, the file is left alone and the step
after the PKI layer's bundle writes it. The step's rendered script runs here in real bash with the real
`haproxy -c`, in a private mount namespace whose /etc/haproxy and /etc/ssl/private are empty tmpfs.
"""

import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from edge.component import CORE_PATH, ENV_PATH, SERVICES_PATH
from edge.inputs import TLS_BUNDLE
from offline.evaluate import Evaluation
from tests.conftest import Edit
from tests.nodes_support import header_params
from tests.test_edge_haproxy import _haproxy, _tls_bundle

LB = "allyrion"
EARLY = "allyrion-haproxy-services-early"


def test_the_services_file_is_in_place_before_the_restart_that_moves_haproxy_to_the_directory(
    real_evaluation: Evaluation,
) -> None:
    early = real_evaluation.command(EARLY)
    drop_in = real_evaluation.command("allyrion-haproxy-drop-in")
    core = real_evaluation.command("allyrion-haproxy-core-cfg")
    late = real_evaluation.command("allyrion-haproxy-services-cfg")
    assert real_evaluation.waits_for(drop_in, early) and real_evaluation.waits_for(early, core)
    # The same content as the file the step after the PKI bundle writes: that step then changes nothing.
    assert early.raw_inputs["stdin"] == real_evaluation.file(LB, SERVICES_PATH) == late.raw_inputs["stdin"]
    assert "stdin" in early.replace_on_changes


def test_without_the_pki_layer_the_live_bundle_still_serves_the_routes(
    evaluate_edited: Callable[[Edit], Evaluation],
) -> None:
    without_pki = evaluate_edited(lambda plain: plain.setdefault("pki", {}).update({"enabled": False}))
    early = without_pki.command(EARLY)
    assert without_pki.waits_for(without_pki.command("allyrion-haproxy-drop-in"), early)
    assert f"crt {TLS_BUNDLE}" in early.raw_inputs["stdin"]


def _run_step(real_evaluation: Evaluation, tmp_path: Path, *, bundle: Path | None, runs: int = 1) -> list[str]:
    script = real_evaluation.file(LB, "_steps/haproxy-services-early.sh")
    stdin = real_evaluation.command(EARLY).raw_inputs["stdin"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "systemctl").write_text("#!/bin/bash\nexit 3\n")  # haproxy is not running here: no reload
    (bin_dir / "systemctl").chmod(0o755)
    (bin_dir / "haproxy").symlink_to(_haproxy())
    setup = [
        "mount -t tmpfs none /etc/haproxy", "mount -t tmpfs none /etc/ssl/private",
        f"mkdir -p {Path(CORE_PATH).parent}",
        f"cp {tmp_path / 'core.cfg'} {CORE_PATH}",
        f"printf 'HAPROXY_STATS_PASSWORD=stand-in\\n' >{ENV_PATH}",
    ]
    if bundle is not None:
        setup.append(f"cp {bundle} {TLS_BUNDLE}")
    (tmp_path / "core.cfg").write_text(real_evaluation.file(LB, CORE_PATH))
    (tmp_path / "step.sh").write_text(script)
    (tmp_path / "stdin").write_text(stdin)
    runs_text = "\n".join(f"echo '--- run {i}'; bash {tmp_path / 'step.sh'} <{tmp_path / 'stdin'}" for i in range(runs))
    after = f"echo '--- file'; cat {SERVICES_PATH} 2>/dev/null | sha256sum"
    body = "set -e\n" + "\n".join(setup) + "\n" + runs_text + "\n" + after + "\n"
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", body],
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin:/usr/sbin:/sbin"},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return _tls_bundle(tmp_path)


def test_with_the_live_bundle_the_file_is_written_once_and_haproxy_accepts_it(
    real_evaluation: Evaluation, tmp_path: Path, bundle: Path
) -> None:
    import hashlib

    out = _run_step(real_evaluation, tmp_path, bundle=bundle, runs=2)
    first, second = out[out.index("--- run 0") + 1:out.index("--- run 1")], out[out.index("--- run 1") + 1:]
    assert f"changed: {SERVICES_PATH}" in first
    assert not any(line.startswith("changed:") for line in second[:second.index("--- file")])
    expected = hashlib.sha256(real_evaluation.file(LB, SERVICES_PATH).encode()).hexdigest()
    assert out[-1].split()[0] == expected


def test_without_a_bundle_the_file_is_left_alone_and_the_step_succeeds(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    out = _run_step(real_evaluation, tmp_path, bundle=None)
    assert any("left as it is" in line for line in out)
    assert not any(line.startswith("changed:") for line in out)
    assert out[-1].startswith("e3b0c44298fc1c149afbf4c8996fb924")  # sha256 of nothing: no file


def test_a_bundle_haproxy_cannot_load_stops_the_step_before_it_writes(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    with pytest.raises(AssertionError, match="refusing to write"):
        _run_step(real_evaluation, tmp_path, bundle=broken)


def test_a_new_env_file_or_drop_in_restarts_haproxy_through_the_bridge_script(real_evaluation: Evaluation) -> None:
    """systemd's stop-then-start refuses connections (tests/lab/test_live_adoption.py measures it): both steps that
    need a restart run edge/restart.sh, with the unit's paths, and it is shellcheck-clean."""
    from edge.component import DROP_IN_PATH, PIDFILE

    restart = Path(__file__).resolve().parent.parent / "edge/restart.sh"
    for step in ("allyrion-haproxy-env", "allyrion-haproxy-drop-in"):
        script = real_evaluation.file(LB, f"_steps/{step.removeprefix('allyrion-')}.sh")
        words = shlex.split(header_params(script)["GT_ON_CHANGE"])
        assert words[:2] == ["bash", "-c"] and words[2] == restart.read_text(), step
        assert words[4:] == [CORE_PATH.rsplit("/", 1)[0], ENV_PATH, DROP_IN_PATH, PIDFILE], step
    from tests.tools import system_tool

    done = subprocess.run([system_tool("shellcheck", "shellcheck"), "--shell=bash", str(restart)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
