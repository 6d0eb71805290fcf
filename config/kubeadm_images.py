"""The pause (sandbox) image each kubeadm minor pulls (`kubeadm config images list`).

A fact of the pinned Kubernetes version, so it lives with the config: a minor missing here is a config error
(config/versions.py), so a version bump cannot silently keep an old sandbox image. containerd's config on the
nodes (nodes/os/containerd_config.py) renders the one for the configured minor.
"""

KUBEADM_PAUSE_IMAGES = {
    "1.30": "registry.k8s.io/pause:3.9",
    "1.31": "registry.k8s.io/pause:3.10",
    "1.32": "registry.k8s.io/pause:3.10",
    "1.33": "registry.k8s.io/pause:3.10",
    "1.34": "registry.k8s.io/pause:3.10.1",
}


def sandbox_image(kubernetes_minor: str) -> str:
    try:
        return KUBEADM_PAUSE_IMAGES[kubernetes_minor]
    except KeyError:
        raise ValueError(
            f"no known pause image for Kubernetes {kubernetes_minor}; add it to KUBEADM_PAUSE_IMAGES"
        ) from None
