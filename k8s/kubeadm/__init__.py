"""kubeadm bootstrap: config renderers (v1beta4), the CA hash, `kubeadm init` on the first control plane,
serialised control-plane joins and worker joins, each skipped when the node already belongs."""
