"""What the Kubernetes layer asks of others: the API load balancer (a TCP route), HTTPS routes to Argo CD and the
apps' MetalLB addresses, and the API endpoint's DNS record."""

from components.contributions import Backend, Contributions, DnsRecord, HttpRoute, LeaveStep, TcpRoute
from config.hostnames import metallb_host
from config.spec import ClusterSpec

API_ROUTE = "k8s-api-server"


def api_endpoint_name(spec: ClusterSpec) -> str:
    return f"cp.k8s.{spec.domains.base}"


# The reference's drain (Ansible's k8s_drain before an upgrade): 900 s grace, emptyDir data deleted, DaemonSets left.
DRAIN_GRACE_SECONDS = 900
DRAIN_TIMEOUT = "20m"


def leave_steps(spec: ClusterSpec) -> tuple[LeaveStep, ...]:
    """Leaving Kubernetes, in order: cordon and drain (on a remaining control plane), for a control plane its etcd
    member removed (there too), `kubeadm reset` on the node, then its Node object deleted. The first control plane
    ran `kubeadm init`, a bootstrap: it leaves like any other control plane (lifecycle/transitions.py checks that
    the bootstrap itself is not moved by the change)."""
    control_plane = spec.roles.kubernetes.control_plane
    steps: list[LeaveStep] = []
    for name in (*control_plane, *spec.roles.kubernetes.workers):
        others = [n for n in control_plane if n != name]
        if not others:
            continue  # the only control plane: leaving it is tearing the cluster down, which no step does
        peer, node = others[0], spec.node(name)
        steps.append(LeaveStep("kubernetes", name, peer, "k8s/leave/drain.sh",
                               (("GT_NODE", name), ("GT_GRACE_SECONDS", str(DRAIN_GRACE_SECONDS)),
                                ("GT_TIMEOUT", DRAIN_TIMEOUT)), order=1))
        if name in control_plane:
            steps.append(LeaveStep("kubernetes", name, peer, "k8s/leave/etcd_remove.sh",
                                   (("GT_NODE", name), ("GT_NODE_IP", str(node.ip))), order=2,
                                   forget_on_rebuild=True))
        steps.append(LeaveStep("kubernetes", name, name, "k8s/leave/reset.sh", (("GT_NODE", name),), order=3))
        steps.append(LeaveStep("kubernetes", name, peer, "k8s/leave/delete_node.sh", (("GT_NODE", name),), order=4,
                               forget_on_rebuild=True))
    return tuple(steps)


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
    return Contributions(dns_records=(record,), tcp_routes=(api,), http_routes=tuple(routes),
                         leave_steps=leave_steps(spec))
