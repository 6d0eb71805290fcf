"""What the Kubernetes layer asks of others: the API load balancer (a TCP route), HTTPS routes to Argo CD and the
apps' MetalLB addresses, and the API endpoint's DNS record."""

from components.contributions import Backend, Contributions, DnsRecord, HttpRoute, TcpRoute
from config.hostnames import metallb_host
from config.spec import ClusterSpec

API_ROUTE = "k8s-api-server"


def api_endpoint_name(spec: ClusterSpec) -> str:
    return f"cp.k8s.{spec.domains.base}"


def contributions(spec: ClusterSpec) -> Contributions:
    domains, k8s = spec.domains, spec.kubernetes
    k8s_svc = domains.k8s_services
    control_plane = spec.nodes_named(tuple(sorted(spec.roles.kubernetes.control_plane)))  # by name: order is no config
    api = TcpRoute(API_ROUTE, k8s.api_port, tuple(Backend(n.name, str(n.ip), k8s.api_port) for n in control_plane),
                   check="https-healthz")
    routes = [
        HttpRoute(
            "k8s-argocd",
            f"argocd.{k8s_svc}",
            (Backend("argocd-metallb", str(k8s.argocd_load_balancer_ip), 80),),
            check_path="/healthz",
            check_host=f"argocd.{k8s_svc}",
        ),
        HttpRoute(
            "k8s-p5js-sketches",
            f"p5js-sketches.{k8s_svc}",
            (Backend("p5js-metallb", str(k8s.p5js_load_balancer_ip), 80),),
            check_host=metallb_host(domains, "p5js-sketches"),
            # The app's nginx redirects any other Host back to itself (a loop through this proxy).
            rewrite_host=metallb_host(domains, "p5js-sketches"),
        ),
        *(
            HttpRoute(
                f"k8s-{app.name}",
                f"{app.name}.{k8s_svc}",
                (Backend(f"{app.name}-metallb", str(app.load_balancer_ip), 80),),
                check_path=app.health_path,
                check_host=f"{app.name}.{k8s_svc}",
            )
            for app in k8s.apps
            if app.load_balancer_ip is not None
        ),
    ]
    # The API endpoint is the load balancer (HAProxy's node), published for kubeconfigs and kubeadm's SANs.
    # Private addresses in a public zone are deliberate: LAN clients resolve through public DNS.
    lb = spec.node(spec.roles.haproxy)
    record = DnsRecord(api_endpoint_name(spec), "A", (str(lb.ip),), spec.aws.ttl.default)
    return Contributions(dns_records=(record,), tcp_routes=(api,), http_routes=tuple(routes))
