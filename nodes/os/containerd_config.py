"""containerd's `/etc/containerd/config.toml`, rendered by the program for containerd 1.7 (config format 2).

Only what differs from containerd's built-in defaults is written: the CRI plugin's sandbox (pause) image, which
must be the one kubeadm of the configured minor expects (else kubelet's image garbage collection and kubeadm's
preflight fight over it), and runc with the systemd cgroup driver, matching kubelet's. On GPU nodes an `nvidia`
runtime (the NVIDIA container toolkit's runc wrapper) becomes the default, so the device plugin and GPU pods
work without every pod naming a RuntimeClass; the `nvidia` RuntimeClass also maps to it.
"""

from config.kubeadm_images import sandbox_image

NVIDIA_RUNTIME_BINARY = "/usr/bin/nvidia-container-runtime"
CONFIG_PATH = "/etc/containerd/config.toml"
_CRI = '[plugins."io.containerd.grpc.v1.cri"'


def _runtime(name: str, binary: str | None) -> list[str]:
    lines = [f'{_CRI}.containerd.runtimes.{name}]', '  runtime_type = "io.containerd.runc.v2"', "",
             f'{_CRI}.containerd.runtimes.{name}.options]']
    if binary is not None:
        lines.append(f'  BinaryName = "{binary}"')
    lines += ["  SystemdCgroup = true", ""]
    return lines


def containerd_config(kubernetes_minor: str, *, nvidia: bool) -> str:
    lines = [
        "# goldentooth (managed): containerd 1.7, config format 2; unset keys keep containerd's defaults.",
        "version = 2",
        "",
        f"{_CRI}]",
        f'  sandbox_image = "{sandbox_image(kubernetes_minor)}"',
        "",
        f"{_CRI}.containerd]",
        f'  default_runtime_name = "{"nvidia" if nvidia else "runc"}"',
        "",
        *_runtime("runc", None),
    ]
    if nvidia:
        lines += _runtime("nvidia", NVIDIA_RUNTIME_BINARY)
    return "\n".join(lines).rstrip("\n") + "\n"
