"""Grafana on roles.grafana, Loki on roles.loki and Vector on every node. Each is deployed on a node only once
the PKI layer's steps have put its certificate there (`certificates_ready`), because all three refuse to start
without their TLS files; until then their files are rendered and checked by the tests but not registered."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_random as random

from components.apt import AptSource
from components.contributions import Contributions
from components.remote_file import FileSpec, write_file
from components.remote_step import StepOptions, StepRunner
from components.script import Script
from config.secrets import SecretValues
from config.spec import ClusterSpec
from nodes.node import Node
from observability import paths as p
from observability.dashboards import dashboard_json, dashboards
from observability.grafana import ADMIN_SECRET, OIDC_SECRET, dashboard_provider, datasources, grafana_ini
from observability.loki import loki_config
from observability.prometheus_config import dump
from observability.vector import vector_config

_INSTALL = Script.beside(__file__, "daemon_install.sh")
GRAFANA_STORAGE = Script.beside(__file__, "grafana_storage.sh")
_ENABLE = Script.beside(__file__, "enable_service.sh")
ANSIBLE_GRAFANA_FILES = (
    f"{p.GRAFANA_PROVISIONING}/datasources/all.yml",
    f"{p.GRAFANA_PROVISIONING}/dashboards/all.yml",
    "/etc/cron.d/grafana_update_dashboards",
    "/usr/local/bin/grafana-update-dashboards.sh",
)


@dataclass(frozen=True)
class LogsArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]
    contributions: Contributions
    secrets: SecretValues
    certificates_ready: Mapping[tuple[str, str], Sequence[pulumi.Resource]]


def grafana_repository(architecture: str) -> AptSource:
    return AptSource("grafana", "https://apt.grafana.com", "stable", ("main",), architecture,
                     "https://apt.grafana.com/gpg.key")


def vector_repository(architecture: str) -> AptSource:
    return AptSource("vector", "https://apt.vector.dev", "stable", ("vector-0",), architecture,
                     "https://keys.datadoghq.com/DATADOG_APT_KEY_CURRENT.public")


def _install(runner: StepRunner, node: Node, name: str, repo: AptSource, package: str, dirs: str,
             after: Sequence[pulumi.Resource], journal_reader: str = "") -> pulumi.Resource:
    return runner.run(f"{name}-install", _INSTALL, {
        "GT_REPO_NAME": repo.name, **repo.params("GT_REPO"),
        "GT_PACKAGE": package, "GT_DIRS": dirs, "GT_JOURNAL_READER": journal_reader,
    }, options=StepOptions(depends_on=[*node.os_ready, *after], timeout="20m"))


def logs_steps(parent: pulumi.Resource, args: LogsArgs) -> list[str]:
    """Register the steps of the daemons whose certificates are ready; `node:daemon` of each one registered."""
    spec, ready, done = args.spec, args.certificates_ready, []
    grafana = spec.roles.grafana
    if (grafana, "grafana") in ready:
        _grafana(parent, args, args.nodes[grafana], ready[(grafana, "grafana")])
        done.append(f"{grafana}:grafana")
    loki = spec.roles.loki
    if (loki, "loki") in ready:
        _loki(parent, spec, args.nodes[loki], ready[(loki, "loki")])
        done.append(f"{loki}:loki")
    for node in spec.nodes:
        if (node.name, "vector") in ready:
            _vector(parent, spec, args.nodes[node.name], ready[(node.name, "vector")])
            done.append(f"{node.name}:vector")
    return done


def _grafana(parent: pulumi.Resource, args: LogsArgs, node: Node, cert: Sequence[pulumi.Resource]) -> None:
    spec = args.spec
    runner = node.runner_under(parent)
    install = _install(runner, node, "grafana", grafana_repository(node.spec.architecture), "grafana",
                       f"{p.GRAFANA_DASHBOARDS_DIR} 0755 root root", cert)
    storage = runner.run("grafana-storage", GRAFANA_STORAGE, {
        "GT_DATA_DIR": spec.observability.grafana.data_dir, "GT_OWNER": "grafana", "GT_FSTAB": "/etc/fstab",
        "GT_RETIRE": "\n".join(ANSIBLE_GRAFANA_FILES)}, options=StepOptions(depends_on=[install]))
    # Grafana reads admin_password only when it creates its database; a generated value never leaves state.
    admin = random.RandomPassword("grafana-admin-password", length=32, special=False,
                                  opts=pulumi.ResourceOptions(parent=parent))
    secrets = {ADMIN_SECRET: admin.result}
    if spec.observability.grafana.oidc:
        secrets[OIDC_SECRET] = args.secrets.output("grafanaOidcClientSecret")
    restart = "systemctl try-restart grafana-server.service"
    after = StepOptions(depends_on=[storage])
    files = [write_file(runner, "grafana-ini", FileSpec(p.GRAFANA_CONFIG, grafana_ini(spec), mode="0640",
                                                        group="grafana", on_change=restart),
                        secrets=secrets, options=after)]
    provisioning = {
        f"{p.GRAFANA_PROVISIONING}/datasources/goldentooth.yaml": dump(datasources(spec)),
        f"{p.GRAFANA_PROVISIONING}/dashboards/goldentooth.yaml": dump(dashboard_provider()),
        **{f"{p.GRAFANA_DASHBOARDS_DIR}/{uid}.json": dashboard_json(b) for uid, b in dashboards().items()},
    }
    for index, (path, content) in enumerate(sorted(provisioning.items())):
        files.append(write_file(runner, f"grafana-file-{index}", FileSpec(path, content, mode="0644",
                                                                           on_change=restart), options=after))
    runner.run("grafana-service", _ENABLE, {"GT_SERVICE": "grafana-server.service"},
               options=StepOptions(depends_on=files))


def _loki(parent: pulumi.Resource, spec: ClusterSpec, node: Node, cert: Sequence[pulumi.Resource]) -> None:
    runner = node.runner_under(parent)
    data = spec.observability.loki.data_dir
    install = _install(runner, node, "loki", grafana_repository(node.spec.architecture), "loki",
                       f"{data} 0750 loki loki", cert)
    config = write_file(runner, "loki-config", FileSpec(
        p.LOKI_CONFIG, dump(loki_config(spec)), mode="0640", group="loki",
        validate='loki -verify-config -config.file="$1" >/dev/null 2>&1',
        on_change="systemctl try-restart loki.service"), options=StepOptions(depends_on=[install]))
    runner.run("loki-service", _ENABLE, {"GT_SERVICE": "loki.service"}, options=StepOptions(depends_on=[config]))


def _vector(parent: pulumi.Resource, spec: ClusterSpec, node: Node, cert: Sequence[pulumi.Resource]) -> None:
    runner = node.runner_under(parent)
    install = _install(runner, node, "vector", vector_repository(node.spec.architecture), "vector",
                       "/var/lib/vector 0755 vector vector", cert, journal_reader="vector")
    config = write_file(runner, "vector-config", FileSpec(
        p.VECTOR_CONFIG, dump(vector_config(spec, node.spec.name)), mode="0644",
        validate='vector validate --no-environment "$1" >/dev/null',
        on_change="systemctl try-restart vector.service"), options=StepOptions(depends_on=[install]))
    runner.run("vector-service", _ENABLE, {"GT_SERVICE": "vector.service"}, options=StepOptions(depends_on=[config]))
