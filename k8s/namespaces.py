"""The Kubernetes namespaces the platform itself runs in, named once: the components use these constants, and the
policy pack's config (offline/policy_config.py -> policies/config.json) is generated from them."""

KUBE_SYSTEM = "kube-system"
TIGERA_OPERATOR = "tigera-operator"  # the Calico operator's chart (k8s/cni.py)
CALICO_SYSTEM = "calico-system"  # created by the operator for calico-node
METALLB = "metallb"
ARGOCD = "argocd"
EXTERNAL_DNS = "external-dns"
NVIDIA_DEVICE_PLUGIN = "nvidia-device-plugin"

# Namespaces whose pods may run privileged containers: the CNI, the load balancer's speakers, static pods.
PRIVILEGED = (KUBE_SYSTEM, CALICO_SYSTEM, TIGERA_OPERATOR, METALLB)
# Namespaces of platform components installed from upstream charts (not apps the cluster's own rules shape).
PLATFORM = (*PRIVILEGED, ARGOCD, EXTERNAL_DNS, NVIDIA_DEVICE_PLUGIN)
