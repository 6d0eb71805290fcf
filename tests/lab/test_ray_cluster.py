"""Lab: the Ray head and two workers, each started with the ExecStart of the ray.service the program renders
for its node, in lab hosts at the inventory addresses (hostname = node name, private /tmp and /dev/shm), form
one cluster, run a task on a worker, and serve the dashboard's API and each node's metrics on the addresses
HAProxy and Prometheus are given (batch/contributions.py).

What differs from a node: the Ray environment is a virtual environment built here from the pinned wheels
(`make ray-lab-env`, cached outside the checkout) instead of /opt/ray/<version>, and the processes run as root
instead of the `ray` user. Skipped, with the reason, when that environment has not been built (its wheels
are some 150 MB).
"""

import json
import os
import shlex
import sys
from pathlib import Path

import pytest

from batch.contributions import contributions
from batch.ray.component import UNIT, prefix
from offline.evaluate import Evaluation
from tests.lab.namespaces import Network
from tests.lab.ray_env import ray_env, ready
from tests.lab.slurm_lab import SlurmHost, SlurmLab, wait
from tests.tools import missing

pytestmark = pytest.mark.lab

PRIVATE = ("/tmp", "/dev/shm", "/run")
DRIVER = r'''
import json, socket, sys, ray
ray.init(address=sys.argv[1])
@ray.remote(num_cpus=0)
def where():
    return socket.gethostname()
ref = where.options(resources={"node:" + sys.argv[2]: 0.001}).remote()
print(json.dumps({"ran_on": ray.get(ref, timeout=180), "alive": sum(1 for n in ray.nodes() if n["Alive"])}))
'''
FETCH = r'''
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
        sys.stdout.write(response.read().decode()[:200000])
except Exception as exc:
    sys.exit(str(exc))
'''


def _exec_start(unit: str) -> list[str]:
    line = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def _head_up(host: SlurmHost, env: Path, address: str) -> bool:
    return host.run(str(env / "bin" / "ray"), "status", f"--address={address}", check=False, timeout=60).returncode == 0


def _fetch(host: SlurmHost, python: str, script: Path, url: str) -> str | None:
    done = host.run(python, str(script), url, check=False, timeout=30)
    return done.stdout if done.returncode == 0 else None


def test_ray_head_and_two_workers_run_a_task_on_a_worker(real_evaluation: Evaluation, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("the Ray lab needs root")
        pytest.skip("needs root for namespaces")
    spec = real_evaluation.spec
    assert spec.batch is not None and spec.batch.ray is not None and spec.roles.ray is not None
    settings, roles = spec.batch.ray, spec.roles.ray
    env = ray_env(settings.version)
    if not ready(env):
        missing(f"the Ray {settings.version} environment {env}", "make ray-lab-env builds it")
    names = [roles.head, *roles.workers[:2]]
    units = {f.node: f.content for f in real_evaluation.files if f.path.endswith(f"/{UNIT}")}
    # Outside the namespaces' private /tmp, so every lab host can read them.
    work = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "goldentooth" / "ray-lab"
    work.mkdir(parents=True, exist_ok=True)
    (work / "driver.py").write_text(DRIVER)
    (work / "fetch.py").write_text(FETCH)
    python = str(env / "bin" / "python")

    head_address = f"{spec.node(roles.head).ip}:{settings.gcs_port}"
    network = Network(spec.network.nodes)
    lab = SlurmLab(network, tmp_path)
    try:
        network.up()
        hosts = {}
        for name in names:
            host = hosts[name] = lab.add(name, str(spec.node(name).ip), private=PRIVATE, logs=())
            argv = _exec_start(units[name])
            assert argv[0] == f"{prefix(settings)}/bin/ray", argv
            host.start("ray", "env", "RAY_USAGE_STATS_ENABLED=0", str(env / "bin" / "ray"), *argv[1:],
                       log=tmp_path / f"{name}-ray.log")
            if name == roles.head:
                wait(lambda: _head_up(hosts[roles.head], env, head_address), "the Ray head", timeout=240)
        head = hosts[roles.head]
        worker = names[1]
        done = head.run(python, str(work / "driver.py"), head_address, str(spec.node(worker).ip), timeout=400)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result == {"ran_on": worker, "alive": len(names)}, done.stdout + done.stderr

        c = contributions(spec)
        route = next(r for r in c.http_routes if r.name == "ray-dashboard")
        server = route.servers[0]
        version = _fetch(head, python, work / "fetch.py", f"http://{server.address}:{server.port}{route.check_path}")
        assert version is not None and settings.version in version, version
        target = next(t for t in c.scrape_targets if t.job == "ray")
        endpoint = dict(target.endpoints)[worker]
        wait(lambda: "ray_" in (_fetch(head, python, work / "fetch.py", f"http://{endpoint}/metrics") or ""),
             f"Ray metrics on {endpoint}", timeout=120)
        print(f"ray lab: head {roles.head} and workers {names[1:]} formed a cluster; a task ran on {worker}")
    finally:
        lab.down()
        network.down()
        sys.stdout.flush()
