"""TRANSITIONAL: scrape targets and alert rules of layers that exist today but do not yet return them in their
own `contributions()`. The lead moves each function into its layer (HAProxy and Kubernetes into k8s/, the CA
probe into pki/, the Slurm rules into the batch layer) and deletes this module; the observability layer
itself never reads another layer's ports except through these values.

Kubernetes: only the API servers are scrapeable from the Prometheus node. kubeadm binds the scheduler,
controller-manager, etcd metrics and kube-proxy metrics to 127.0.0.1, and the kubelets' self-signed serving
certificates cannot be verified, so those are left out rather than scraped insecurely. The API server demands a
token with `get` on the `/metrics` non-resource URL; the Kubernetes layer must place it (and the cluster CA) at
the paths below on the Prometheus node."""

from components.contributions import AlertRule, AlertRuleGroup, Contributions, ScrapeTarget, TlsClient
from config.spec import ClusterSpec

STEP_CA_PORT = 9443
KUBERNETES_CA = "/etc/prometheus/certs/kubernetes-ca.crt"
KUBERNETES_TOKEN = "/etc/prometheus/secrets/kubernetes-metrics.token"
ROOT_CA = "/etc/ssl/certs/goldentooth.pem"


def kubernetes_contributions(spec: ClusterSpec) -> Contributions:
    port = spec.kubernetes.api_port
    servers = tuple((n.name, f"{n.ip}:{port}") for n in sorted(spec.nodes_named(spec.roles.kubernetes.control_plane),
                                                                 key=lambda n: n.name))
    target = ScrapeTarget("kubernetes-apiserver", servers, scheme="https", tls=TlsClient(KUBERNETES_CA),
                          bearer_token_file=KUBERNETES_TOKEN)
    rules = AlertRuleGroup("kubernetes", (
        AlertRule("KubernetesApiServerDown", 'up{job="kubernetes-apiserver"} == 0', "5m", "critical",
                  "The API server on {{ $labels.instance }} is down",
                  "One control-plane member's API server does not answer; etcd shares its node."),
    ))
    return Contributions(scrape_targets=(target,), alert_rules=(rules,))


def pki_contributions(spec: ClusterSpec) -> Contributions:
    ca = spec.node(spec.roles.step_ca)
    probe = ScrapeTarget("blackbox-step-ca", ((ca.name, f"https://{ca.ip}:{STEP_CA_PORT}/health"),),
                         probe_module="https_internal")
    rules = AlertRuleGroup("step-ca", (
        AlertRule("StepCAServerDown", 'probe_success{job="blackbox-step-ca"} == 0', "2m", "critical",
                  "The step-ca server on {{ $labels.node }} is down",
                  "The CA's /health probe fails: no certificate can be issued or renewed."),
    ))
    return Contributions(scrape_targets=(probe,), alert_rules=(rules,))


def existing_contributions(spec: ClusterSpec) -> Contributions:
    """What `cluster/` merges until the layers return it themselves. The Kubernetes target is left out until
    the Kubernetes layer puts the metrics token and CA on the Prometheus node: without them every API server
    answers 401 and KubernetesApiServerDown would page for a healthy control plane."""
    if not spec.observability.enabled:
        return Contributions()
    # HAProxy's target is the edge layer's own contribution now (edge/contributions.py).
    # Slurm's rules are the batch layer's own contributions now (batch/contributions.py).
    return pki_contributions(spec)
