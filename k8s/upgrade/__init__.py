"""Kubernetes version upgrades: `kubeadm upgrade apply` on the first control plane, `upgrade node` on the others,
then each worker drained, upgraded and uncordoned in turn, serialised by edges."""
