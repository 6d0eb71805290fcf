"""The observability layer's registered steps, applied over real SSH to lab hosts (the Prometheus node, a Pi,
and velaryon, the Ubuntu x86 node) after their node-layer steps: everything converges, each rendered file lands
where the program said, the Ansible era's own node_exporter unit (which held :9100) is retired, and a second run
changes nothing. The config files are validated on the host by the real promtool, amtool and blackbox exporter
(this machine's /usr is the hosts' lower /usr); the packages are the lab's empty stand-ins (tests/lab/README.md)
and systemctl is the lab's, so the daemons themselves run in tests/lab/test_observability_daemons.py."""

import copy
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from observability import paths as p
from offline.evaluate import Evaluation, evaluate
from tests.conftest import fake_secret_values
from tests.lab.apply import Run
from tests.lab.node_lab import NodeLab, lab_steps, node_lab, prerequisites
from tests.lab.snapshot import Snapshot, differences, snapshot
from tests.nodes_support import COMMAND, Step

pytestmark = pytest.mark.lab
OBSERVABILITY = "goldentooth:observability:Observability"
ANSIBLE_UNIT = """[Unit]
Description=Prometheus Node Exporter (Ansible era)
[Service]
ExecStart=/usr/local/bin/node_exporter
[Install]
WantedBy=multi-user.target
"""


def observability_steps(ev: Evaluation, names: list[str]) -> list[Step]:
    by_urn = ev.by_urn()
    steps = []
    for r in ev.resources:
        parent = by_urn.get(r.parent)
        if r.type != COMMAND or parent is None or parent.type != OBSERVABILITY:
            continue
        node = next((n for n in names if r.name.startswith(f"{n}-")), None)
        if node is not None:
            steps.append(Step(node, r.name.removeprefix(f"{node}-"), r))
    return sorted(steps, key=lambda s: (names.index(s.node), s.name))


@dataclass
class Converged:
    lab: NodeLab
    steps: list[Step]
    first: Run
    second: Run
    after_first: dict[str, Snapshot]
    after_second: dict[str, Snapshot]


def _require_lab() -> None:
    reason = prerequisites()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the SSH lab, but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def converged(real_plain: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Converged]:
    _require_lab()
    # Without the PKI layer: Grafana, Loki and Vector (registered once their certificates are issued) install from
    # vendor repositories this lab cannot serve; every other observability step runs here.
    plain = copy.deepcopy(real_plain)
    plain.setdefault("pki", {})["enabled"] = False
    ev = evaluate(plain, fake_secret_values(), provider_config={"aws:region": "us-east-1"})
    names = [ev.spec.roles.prometheus, "velaryon"]
    ours = observability_steps(ev, names)
    steps = lab_steps(ev, names) + ours
    with node_lab(ev, names, tmp_path_factory.mktemp("obs-lab")) as lab:
        planted = lab.sh(names[0], "printf '%s' '" + ANSIBLE_UNIT + "' > /etc/systemd/system/node_exporter.service"
                         " && systemctl enable node_exporter.service && systemctl start node_exporter.service"
                         " && install -d /etc/prometheus/rules && printf 'groups: []\\n' >"
                         " /etc/prometheus/rules/ansible_managed.yml")
        assert planted.returncode == 0, planted.stderr
        first = lab.apply(steps)
        assert first.failed is None, first.report()
        after_first = {name: snapshot(host) for name, host in lab.hosts.items()}
        second = lab.apply(steps)
        after_second = {name: snapshot(host) for name, host in lab.hosts.items()}
        yield Converged(lab, ours, first, second, after_first, after_second)


def test_every_observability_step_converges_over_real_ssh(converged: Converged) -> None:
    assert {s.name for s in converged.steps} >= {"node-exporter", "prometheus-install", "prometheus-config",
                                                 "prometheus-service", "alertmanager-config", "blackbox-config"}
    changed = converged.first.changes()
    for step in converged.steps:
        assert step.resource.name in changed, f"{step.resource.name} changed nothing on a fresh host"


def test_a_second_run_changes_nothing(converged: Converged) -> None:
    assert converged.second.failed is None, converged.second.report()
    assert converged.second.changes() == {}
    for name, before in converged.after_first.items():
        assert differences(before, converged.after_second[name]) == [], name


def test_each_rendered_file_is_on_its_node(converged: Converged) -> None:
    ev = converged.lab.ev
    for name, host in converged.lab.hosts.items():
        files = [f for f in ev.files if f.node == name and not f.path.startswith("_steps/")
                 and (f.path.startswith(("/etc/prometheus", p.PROBE_DIR))
                      or "prometheus" in f.path or "goldentooth-probes" in f.path)]
        assert files, name
        for f in files:
            assert host.read(f.path) == f.content, f"{name}:{f.path}"
        assert (host.root / p.TEXTFILE_DIR.lstrip("/")).is_dir()


def test_the_ansible_eras_node_exporter_unit_is_retired(converged: Converged) -> None:
    host = converged.lab.hosts[converged.lab.ev.spec.roles.prometheus]
    assert not (host.root / "etc/systemd/system/node_exporter.service").exists()
    step = next(s for s in converged.steps if s.node == host.spec.name and s.name == "node-exporter")
    assert any("retired node_exporter.service" in line for line in converged.first.outcomes[step.urn].changes)
    assert "systemctl start prometheus-node-exporter.service" in "\n".join(host.calls())


def test_the_ansible_eras_rule_file_is_pruned_and_only_rendered_rule_files_remain(converged: Converged) -> None:
    ev = converged.lab.ev
    node = ev.spec.roles.prometheus
    host = converged.lab.hosts[node]
    rendered = sorted(Path(f.path).name for f in ev.files if f.node == node and f.path.startswith(p.PROMETHEUS_RULES_DIR))
    assert sorted(x.name for x in (host.root / p.PROMETHEUS_RULES_DIR.lstrip("/")).iterdir()) == rendered
    step = next(s for s in converged.steps if s.node == node and s.name == "prometheus-prune-rules")
    assert any("ansible_managed.yml" in line for line in converged.first.outcomes[step.urn].changes)


def test_the_probe_writes_its_textfile_on_the_lab_host(converged: Converged) -> None:
    """The installed probe script runs on the host as its timer runs it (no thermal zone in the lab: the journal
    size and the run timestamp are still written)."""
    node = converged.lab.ev.spec.roles.prometheus
    out = converged.lab.sh(node, f"GT_TEXTFILE_DIR={p.TEXTFILE_DIR} {p.PROBE_DIR}/node-probe.sh && "
                                 f"cat {p.TEXTFILE_DIR}/node-probe.prom")
    assert out.returncode == 0, out.stderr
    assert 'goldentooth_probe_last_run_timestamp_seconds{probe="node"}' in out.stdout
    assert Path(p.TEXTFILE_DIR).name == "textfile"


def test_the_distributions_prometheus_is_refused_over_an_adopted_prometheus_3(
    real_evaluation: Evaluation, tmp_path: Path
) -> None:
    """A node that already runs Prometheus 3 (the Ansible era's 3.2.1 in /usr/local/bin) keeps its TSDB: with
    install: distribution, the install step stops and names the node and the file instead of downgrading."""
    _require_lab()
    ev = real_evaluation
    assert ev.spec.observability.prometheus.install == "distribution"
    node = ev.spec.roles.prometheus
    steps = lab_steps(ev, [node]) + [s for s in observability_steps(ev, [node]) if s.name == "prometheus-install"]
    with node_lab(ev, [node], tmp_path / "lab") as lab:
        planted = lab.sh(node, "install -d /usr/local/bin && printf '%s\\n' '#!/bin/sh' "
                               "'echo \"prometheus, version 3.2.1 (branch: HEAD)\"' > /usr/local/bin/prometheus"
                               " && chmod 0755 /usr/local/bin/prometheus")
        assert planted.returncode == 0, planted.stderr
        run = lab.apply(steps)
        assert run.failed is not None and run.failed.name == "prometheus-install", run.report()
        stderr = run.outcomes[run.failed.urn].stderr
        assert f"{node}: /usr/local/bin/prometheus is Prometheus 3" in stderr, stderr
        assert lab.sh(node, "dpkg-query -W prometheus").returncode != 0, "the distribution's package was installed"
