"""What the batch layer asks of other concerns, from the spec alone: HAProxy routes for the Ray dashboard and
the Ollama API, Prometheus jobs and alert rules for Slurm and Ray, listening ports, the controllers' health
check, and draining a compute node before it leaves."""

from batch.slurm.conf import SLURMCTLD_PORT, SLURMD_PORT
from components.contributions import (
    AlertRule,
    AlertRuleGroup,
    Backend,
    Contributions,
    HttpRoute,
    LeaveStep,
    ListenPort,
    QuorumCheck,
    ScrapeTarget,
)
from config.batch import BatchSpec
from config.spec import ClusterSpec

DRAIN_SCRIPT = "batch/slurm/drain.sh"
# Healthy while some controller answers: what `scontrol ping` prints, not its exit status, and no pipe whose
# status pipefail could change.
QUORUM_COMMAND = 'case "$(scontrol ping 2>&1 || true)" in *" is UP"*) exit 0 ;; *) exit 1 ;; esac'


def contributions(spec: ClusterSpec) -> Contributions:
    batch = spec.batch
    if batch is None:
        return Contributions()
    return _slurm(spec, batch) + _ray(spec, batch) + _ollama(spec, batch)


def _endpoints(spec: ClusterSpec, names: tuple[str, ...], port: int) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((n, f"{spec.node(n).ip}:{port}") for n in names))


def _slurm(spec: ClusterSpec, batch: BatchSpec) -> Contributions:
    settings, roles = batch.slurm, spec.roles.slurm
    if settings is None or roles is None:
        return Contributions()
    ports = [ListenPort(n, SLURMCTLD_PORT, "tcp", "slurmctld") for n in roles.controllers]
    ports += [ListenPort(n, SLURMD_PORT, "tcp", "slurmd") for n in roles.compute]
    if settings.accounting is not None:
        ports.append(ListenPort(settings.accounting.node, settings.accounting.port, "tcp", "slurmdbd"))
    scrape: tuple[ScrapeTarget, ...] = ()
    alerts: tuple[AlertRuleGroup, ...] = ()
    if settings.exporter is not None:
        ports += [ListenPort(n, settings.exporter.port, "tcp", "slurm-exporter") for n in roles.controllers]
        scrape = (ScrapeTarget("slurm", _endpoints(spec, roles.controllers, settings.exporter.port)),)
        alerts = (_slurm_alerts(),)
    primary = roles.controllers[0]
    return Contributions(
        scrape_targets=scrape,
        alert_rules=alerts,
        listen_ports=tuple(sorted(ports, key=lambda p: (p.node, p.port))),
        # slurmctld is a primary with backups, not a vote: "healthy" is some controller answering. A controller
        # restarts only while another one answers, so jobs are always scheduled.
        quorum_checks=(QuorumCheck("slurm-controllers", roles.controllers, primary,
                                   QUORUM_COMMAND, timeout_seconds=300,
                                   present="systemctl is-enabled --quiet slurmctld"),),
        leave_steps=tuple(
            LeaveStep("slurm", node, primary, DRAIN_SCRIPT,
                      (("GT_NODE_NAME", node), ("GT_REASON", "leaving the cluster (goldentooth)")))
            for node in roles.compute
        ),
    )


def _slurm_alerts() -> AlertRuleGroup:
    # Metric names of the rivosinc prometheus-slurm-exporter (reference §5.9). Each of the three controllers'
    # exporters reports the same cluster-wide numbers, so rules aggregate with max().
    return AlertRuleGroup("slurm", (
        AlertRule("SlurmExporterDown", 'up{job="slurm"} == 0', "5m", "warning",
                  "Slurm exporter on {{ $labels.node }} is down"),
        AlertRule("SlurmNoControllerExporter", 'max(up{job="slurm"}) < 1 or absent(up{job="slurm"})', "5m",
                  "critical", "No Slurm controller's exporter answers"),
        AlertRule("SlurmNodesDown", 'max(slurm_node_count_per_state{state="down"}) > 0', "5m", "critical",
                  "{{ $value }} Slurm nodes are down"),
        AlertRule("SlurmNodesDrained", 'max(slurm_node_count_per_state{state="drained"}) > 0', "1h", "warning",
                  "{{ $value }} Slurm nodes have been drained for an hour"),
        AlertRule("SlurmHighPendingJobs", "max(slurm_jobs_pending) > 50", "15m", "warning",
                  "{{ $value }} Slurm jobs are pending"),
        AlertRule("SlurmHighCPUUtilization", "max(slurm_cpus_alloc) / max(slurm_cpus_total) * 100 > 90", "30m",
                  "info", "Slurm CPU allocation is above 90%"),
    ))


def _ray(spec: ClusterSpec, batch: BatchSpec) -> Contributions:
    settings, roles = batch.ray, spec.roles.ray
    if settings is None or roles is None:
        return Contributions()
    head = spec.node(roles.head)
    members = (roles.head, *roles.workers)
    ports = [
        ListenPort(roles.head, settings.gcs_port, "tcp", "ray-gcs"),
        ListenPort(roles.head, settings.dashboard_port, "tcp", "ray-dashboard"),
        ListenPort(roles.head, settings.client_port, "tcp", "ray-client"),
        *(ListenPort(n, settings.metrics_port, "tcp", "ray-metrics") for n in members),
    ]
    workers = len(roles.workers)
    return Contributions(
        http_routes=(HttpRoute("ray-dashboard", f"{settings.hostname}.{spec.domains.services}",
                               (Backend(roles.head, str(head.ip), settings.dashboard_port),),
                               check_path="/api/version"),),
        scrape_targets=(ScrapeTarget("ray", _endpoints(spec, members, settings.metrics_port)),),
        alert_rules=(AlertRuleGroup("ray", (
            AlertRule("RayHeadDown", f'up{{job="ray", node="{roles.head}"}} == 0', "5m", "critical",
                      f"The Ray head on {roles.head} does not answer"),
            AlertRule("RayWorkersMissing", f'count(up{{job="ray"}} == 1) < {workers + 1}', "15m", "warning",
                      f"{{{{ $value }}}} of {workers + 1} Ray nodes answer"),
        )),),
        listen_ports=tuple(sorted(ports, key=lambda p: (p.node, p.port))),
    )


def _ollama(spec: ClusterSpec, batch: BatchSpec) -> Contributions:
    settings = batch.ollama
    if settings is None or not spec.roles.ollama:
        return Contributions()
    servers = tuple(Backend(n, str(spec.node(n).ip), settings.port) for n in spec.roles.ollama)
    return Contributions(
        http_routes=(HttpRoute("ollama", f"{settings.hostname}.{spec.domains.services}", servers,
                               check_path="/api/version"),),
        listen_ports=tuple(ListenPort(n, settings.port, "tcp", "ollama") for n in spec.roles.ollama),
    )
