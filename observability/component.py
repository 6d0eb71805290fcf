"""`Observability`: Prometheus, Alertmanager and blackbox on roles.prometheus, node_exporter with its textfile
probes on every node, and (once the PKI layer delivers their certificates) Grafana, Loki and Vector.

Scrape targets and alert rules come from the merged contributions of every layer (`args.contributions`).
Every config file is checked on the node by the daemon's own tool before it replaces the old one (`write_file`
validate), and a daemon reloads only when its file changed."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from components import artifacts
from components.contributions import Contributions
from components.remote_file import FileSpec, write_file
from components.remote_step import StepOptions, StepRunner
from components.script import Script
from components.systemd_unit import Unit, record_units, unit_params
from config.secrets import SecretValues
from config.spec import ClusterSpec
from nodes.node import Node
from observability import paths as p
from observability import units as u
from observability.alert_rules import rule_groups
from observability.alertmanager_config import SECRET_KEYS, alertmanager_config, secrets_needed
from observability.blackbox_config import blackbox_config
from observability.logs import LogsArgs, logs_steps
from observability.prometheus_config import dump, prometheus_config, rule_files

_INSTALL = Script.beside(__file__, "install_package.sh")
_NODE_EXPORTER = Script.beside(__file__, "node_exporter.sh")
_PROMETHEUS = Script.beside(__file__, "prometheus_install.sh")
_UNITS = Script.beside(__file__, "apply_units.sh")
_PRUNE_RULES = Script.beside(__file__, "prometheus_prune_rules.sh")
NODE_PROBE = Script.beside(__file__, "probes/node-probe.sh")
CERT_PROBE = Script.beside(__file__, "probes/cert-expiry.sh")
RELEASE_URL = "https://github.com/prometheus/prometheus/releases/download/v{v}/prometheus-{v}.linux-{arch}.tar.gz"


@dataclass(frozen=True)
class ObservabilityArgs:
    spec: ClusterSpec
    nodes: Mapping[str, Node]
    contributions: Contributions  # merged, of every layer (this one's included)
    secrets: SecretValues
    # (node, certificate id) -> the PKI steps after which that certificate is on the node. Daemons whose TLS
    # files are missing would not start, so Grafana, Loki and Vector are deployed only where theirs are ready.
    certificates_ready: Mapping[tuple[str, str], Sequence[pulumi.Resource]] = field(default_factory=dict)


def _reload_if_active(unit: str) -> str:
    return f"if systemctl is-active --quiet {unit}; then systemctl reload {unit}; fi"


def _dirs(*entries: tuple[str, str, str, str]) -> str:
    return "\n".join(" ".join(e) for e in entries)


def cert_list(spec: ClusterSpec, merged: Contributions, node: str) -> str:
    """`<id> <path>` of every certificate any layer requests on `node`, for the cert-expiry probe."""
    lines = sorted({f"{c.id} {c.cert_path}" for c in merged.certificates if c.node == node and c.cert_path})
    return "".join(f"{line}\n" for line in lines)


class Observability(pulumi.ComponentResource):
    prometheus_ready: pulumi.Resource  # Prometheus runs with the generated config
    alertmanager_ready: pulumi.Resource
    blackbox_ready: pulumi.Resource

    def __init__(self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("goldentooth:observability:Observability", name, None, opts)
        spec, merged = args.spec, args.contributions
        for node in spec.nodes:
            self._node_exporter(args.nodes[node.name], spec, merged)
        host = args.nodes[spec.roles.prometheus]
        runner = host.runner_under(self)
        after_os = StepOptions(depends_on=list(host.os_ready), timeout="20m")
        self.prometheus_ready = self._prometheus(runner, spec, merged, after_os)
        self.alertmanager_ready = self._alertmanager(runner, spec, args.secrets, after_os)
        self.blackbox_ready = self._blackbox(runner, after_os)
        logs = logs_steps(self, LogsArgs(spec, args.nodes, merged, args.secrets, args.certificates_ready))
        self.register_outputs({
            "prometheus": f"http://{host.spec.ip}:{p.PROMETHEUS_PORT}",
            "alertmanager": f"http://{host.spec.ip}:{p.ALERTMANAGER_PORT}",
            "blackbox": f"http://{host.spec.ip}:{p.BLACKBOX_PORT}",
            "scrapeJobs": sorted(j["job_name"] for j in prometheus_config(spec, merged)["scrape_configs"]),
            "logs": logs,
        })

    def _node_exporter(self, node: Node, spec: ClusterSpec, merged: Contributions) -> None:
        runner = node.runner_under(self)
        units = u.node_units()
        record_units(node.spec.name, units)
        artifacts.record(node.spec.name, f"{p.PROBE_DIR}/node-probe.sh", NODE_PROBE.body, "0755")
        artifacts.record(node.spec.name, f"{p.PROBE_DIR}/cert-expiry.sh", CERT_PROBE.body, "0755")
        params = {
            **unit_params(units),
            "GT_TEXTFILE_DIR": p.TEXTFILE_DIR,
            "GT_PROBE_DIR": p.PROBE_DIR,
            "GT_NODE_PROBE": NODE_PROBE.body,
            "GT_CERT_PROBE": CERT_PROBE.body,
            "GT_CERT_LIST": u.CERT_LIST,
            "GT_CERT_LIST_TEXT": cert_list(spec, merged, node.spec.name),
        }
        runner.run("node-exporter", _NODE_EXPORTER, params,
                   options=StepOptions(depends_on=list(node.os_ready), timeout="20m"))

    def _prometheus(self, runner: StepRunner, spec: ClusterSpec, merged: Contributions,
                    after_os: StepOptions) -> pulumi.Resource:
        prom = spec.observability.prometheus
        node = spec.node(spec.roles.prometheus)
        arch = node.architecture
        install = runner.run("prometheus-install", _PROMETHEUS, {
            "GT_INSTALL": prom.install,
            "GT_VERSION": prom.release.version,
            "GT_URL": RELEASE_URL.format(v=prom.release.version, arch=arch),
            "GT_SHA256": {str(k): v for k, v in prom.release.sha256.items()}.get(arch, ""),
            "GT_DATA": p.PROMETHEUS_DATA,
            "GT_DIRS": _dirs((p.PROMETHEUS_CONFIG_DIR, "0755", "root", "root"),
                             (p.PROMETHEUS_RULES_DIR, "0755", "root", "root"),
                             (p.PROMETHEUS_CERT_DIR, "0755", "prometheus", "prometheus"),
                             (p.PROMETHEUS_DATA, "0755", "prometheus", "prometheus")),
        }, options=after_os)
        promtool = u.prometheus_binary(spec, "promtool")
        reload = _reload_if_active(u.PROMETHEUS_UNIT)
        after_install = StepOptions(depends_on=[install])
        files = []
        rendered = rule_files(rule_groups(spec, merged.alert_rules, merged.quorum_checks))
        for name, document in rendered.items():
            files.append(write_file(runner, f"prometheus-rules-{name.removesuffix('.yml')}", FileSpec(
                f"{p.PROMETHEUS_RULES_DIR}/{name}", dump(document),
                validate=f'{promtool} check rules "$1" >/dev/null', on_change=reload), options=after_install))
        files.append(write_file(runner, "prometheus-config", FileSpec(
            p.PROMETHEUS_CONFIG, dump(prometheus_config(spec, merged)),
            validate=f'{promtool} check config --syntax-only "$1" >/dev/null', on_change=reload),
            options=after_install))
        files.append(runner.run("prometheus-prune-rules", _PRUNE_RULES, {
            "GT_RULES_DIR": p.PROMETHEUS_RULES_DIR, "GT_RULE_FILES": "\n".join(sorted(rendered)),
            "GT_UNIT": u.PROMETHEUS_UNIT}, options=StepOptions(depends_on=list(files))))
        return self._units(runner, "prometheus-service", (u.prometheus_unit(spec),), files)

    def _alertmanager(self, runner: StepRunner, spec: ClusterSpec, secrets: SecretValues,
                      after_os: StepOptions) -> pulumi.Resource:
        install = runner.run("alertmanager-install", _INSTALL, {
            "GT_PACKAGES": "prometheus-alertmanager",
            "GT_RETIRE": "alertmanager.service",
            "GT_DIRS": _dirs((p.ALERTMANAGER_DATA, "0755", "prometheus", "prometheus")),
        }, options=after_os)
        am = spec.observability.alertmanager
        needed = secrets_needed(am)
        config = write_file(runner, "alertmanager-config", FileSpec(
            p.ALERTMANAGER_CONFIG, dump(alertmanager_config(am)), mode="0640", group="prometheus",
            validate='amtool check-config "$1" >/dev/null', on_change=_reload_if_active(u.ALERTMANAGER_UNIT)),
            secrets={k: secrets.output(SECRET_KEYS[k]) for k in needed} or None,
            options=StepOptions(depends_on=[install]))
        return self._units(runner, "alertmanager-service", (u.alertmanager_unit(spec),), [config])

    def _blackbox(self, runner: StepRunner, after_os: StepOptions) -> pulumi.Resource:
        install = runner.run("blackbox-install", _INSTALL, {
            "GT_PACKAGES": "prometheus-blackbox-exporter",
            "GT_RETIRE": "blackbox-exporter.service",
            "GT_DIRS": "",
        }, options=after_os)
        config = write_file(runner, "blackbox-config", FileSpec(
            p.BLACKBOX_CONFIG, dump(blackbox_config()),
            validate='prometheus-blackbox-exporter --config.check --config.file="$1" >/dev/null 2>&1',
            on_change=_reload_if_active(u.BLACKBOX_UNIT)), options=StepOptions(depends_on=[install]))
        return self._units(runner, "blackbox-service", (u.blackbox_unit(),), [config])

    def _units(self, runner: StepRunner, name: str, units: Sequence[Unit], after: Sequence[pulumi.Resource]
               ) -> pulumi.Resource:
        record_units(runner.node, units)
        return runner.run(name, _UNITS, unit_params(units), options=StepOptions(depends_on=list(after)))
