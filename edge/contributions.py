"""What the edge layer asks of others: its own ports and metrics, plus (for now) the routes of services whose
layers are not built yet (edge/existing_services.py)."""

from components.contributions import Contributions, ListenPort, ScrapeTarget
from config.spec import ClusterSpec
from edge.config import PROMETHEUS_PORT, STATS_PORT
from edge.existing_services import existing_services, node_homepages


def contributions(spec: ClusterSpec) -> Contributions:
    lb = spec.node(spec.roles.haproxy)
    own = Contributions(
        scrape_targets=(ScrapeTarget("haproxy", ((lb.name, f"{lb.ip}:{PROMETHEUS_PORT}"),)),),
        listen_ports=tuple(
            ListenPort(lb.name, port, "tcp", service, "any")
            for port, service in ((80, "haproxy-http"), (443, "haproxy-https"), (STATS_PORT, "haproxy-stats"),
                                  (PROMETHEUS_PORT, "haproxy-metrics"))
        ),
    )
    return own + existing_services(spec) + node_homepages(spec)
