"""HAProxy's steps side by side (issue 12 item 8): after the install, the env file, the core file and the enable
step run in parallel; the drop-in's restart, which switches the unit to the directory, waits for all three and is
what kubeadm init waits for. The core file is validated by the real haproxy with a stand-in password when the env
file is not there yet (a fresh node), so it need not wait for the env step."""

import subprocess
from pathlib import Path

from edge.component import CORE_PATH, ENV_PATH
from offline.evaluate import Evaluation
from tests.tools import system_tool


def test_env_core_and_enable_follow_the_install_side_by_side_and_the_drop_in_follows_them(
    real_evaluation: Evaluation,
) -> None:
    ev = real_evaluation
    step = {n: ev.command(f"allyrion-haproxy-{n}") for n in ("install", "env", "core-cfg", "enable", "drop-in")}
    for name in ("env", "core-cfg", "enable"):
        assert ev.waits_for(step[name], step["install"]), name
        assert ev.waits_for(step["drop-in"], step[name]), name
        assert not any(ev.waits_for(step[name], step[other]) for other in ("env", "core-cfg", "enable") if other != name)
    assert ev.waits_for(ev.command("bettley-kubeadm-init"), step["drop-in"])


def test_the_core_file_validates_with_the_real_haproxy_before_the_env_file_exists(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    haproxy = system_tool("haproxy", "haproxy")
    assert not Path(ENV_PATH).exists(), "this machine must not have the node's env file"
    script = real_evaluation.file("allyrion", "_steps/haproxy-core-cfg.sh")
    [line] = [x for x in script.splitlines() if x.startswith("export GT_VALIDATE=")]
    validate = subprocess.run(["bash", "-c", f'{line}\nprintf %s "$GT_VALIDATE"'], capture_output=True, text=True,
                              check=True).stdout
    candidate = tmp_path / "10-core.cfg"
    candidate.write_text(real_evaluation.file("allyrion", CORE_PATH))
    env = {"PATH": f"{Path(haproxy).parent}:/usr/sbin:/usr/bin:/sbin:/bin"}
    done = subprocess.run(["bash", "-c", validate, "validate", str(candidate)], capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    broken = tmp_path / "broken.cfg"
    broken.write_text(candidate.read_text() + "\nfrontend\n  bind :1 nonsense-option\n")
    refused = subprocess.run(["bash", "-c", validate, "validate", str(broken)], capture_output=True, text=True,
                             env=env, timeout=60, check=False)
    assert refused.returncode != 0
