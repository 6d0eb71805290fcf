"""The SeaweedFS CSI driver: a controller (provisioner, resizer) and a node plugin on the nodes that mount
volumes, both talking to every filer; and the SeaweedFS StorageClasses the config asks for."""

from typing import Any

from config.spec import ClusterSpec

DRIVER = "seaweedfs-csi-driver"
SIDECARS = {
    "csi-provisioner": "registry.k8s.io/sig-storage/csi-provisioner:v4.0.1",
    "csi-resizer": "registry.k8s.io/sig-storage/csi-resizer:v1.11.1",
    "csi-node-driver-registrar": "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.11.1",
}
_SOCKET = "/csi/csi.sock"
RESOURCES = {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "256Mi"}}  # Pis: no overcommit
_KUBELET = "/var/lib/kubelet"


def filers(spec: ClusterSpec) -> str:
    roles = spec.roles.seaweedfs
    assert roles is not None
    port = spec.storage.seaweedfs.filer_port
    return ",".join(f"{spec.node(f).ip}:{port}" for f in roles.filers)


def _http_probes(path: str, port: int) -> dict[str, Any]:
    probe = {"httpGet": {"path": path, "port": port}, "periodSeconds": 20, "failureThreshold": 3}
    return {"livenessProbe": probe, "readinessProbe": probe}


# The driver answers on its socket only; the probe checks that it is there (the image has a shell).
_SOCKET_PROBES = {
    "livenessProbe": {"exec": {"command": ["/bin/sh", "-c", f"test -S {_SOCKET}"]}, "periodSeconds": 20},
    "readinessProbe": {"exec": {"command": ["/bin/sh", "-c", f"test -S {_SOCKET}"]}, "periodSeconds": 20},
}


def _driver(spec: ClusterSpec, component: str) -> dict[str, Any]:
    return {
        "name": DRIVER,
        "image": spec.storage.seaweedfs.csi_image,
        "args": [f"--endpoint=unix://{_SOCKET}", f"--filer={filers(spec)}", "--nodeid=$(NODE_ID)",
                 f"--driverName={DRIVER}", f"--components={component}"],
        "env": [{"name": "NODE_ID", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
        "resources": RESOURCES,
        **_SOCKET_PROBES,
        "volumeMounts": [{"name": "socket-dir", "mountPath": "/csi"}],
    }


def manifests(spec: ClusterSpec) -> dict[str, dict[str, Any]]:
    """name -> manifest, in the order they are created."""
    ns = spec.storage.seaweedfs.csi_namespace
    labels = {"app.kubernetes.io/name": DRIVER}
    sidecar_args = [f"--csi-address={_SOCKET}", "--v=2"]
    controller = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": f"{DRIVER}-controller", "namespace": ns, "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {**labels, "app.kubernetes.io/component": "controller"}},
            "template": {
                "metadata": {"labels": {**labels, "app.kubernetes.io/component": "controller"}},
                "spec": {
                    "serviceAccountName": f"{DRIVER}-controller",
                    "containers": [
                        {"name": "csi-provisioner", "image": SIDECARS["csi-provisioner"], "resources": RESOURCES,
                         "args": [*sidecar_args, "--leader-election", "--extra-create-metadata",
                                  "--http-endpoint=:8080"],
                         **_http_probes("/healthz/leader-election", 8080),
                         "volumeMounts": [{"name": "socket-dir", "mountPath": "/csi"}]},
                        {"name": "csi-resizer", "image": SIDECARS["csi-resizer"], "resources": RESOURCES,
                         "args": [*sidecar_args, "--leader-election", "--http-endpoint=:8081"],
                         **_http_probes("/healthz/leader-election", 8081),
                         "volumeMounts": [{"name": "socket-dir", "mountPath": "/csi"}]},
                        _driver(spec, "controller"),
                    ],
                    "volumes": [{"name": "socket-dir", "emptyDir": {}}],
                },
            },
        },
    }
    node_driver = _driver(spec, "node")
    # The node plugin mounts volumes into pods (Bidirectional propagation): only it is privileged.
    node_driver["securityContext"] = {"privileged": True, "capabilities": {"add": ["SYS_ADMIN"]},
                                      "allowPrivilegeEscalation": True}
    node_driver["volumeMounts"] = [
        {"name": "plugin-dir", "mountPath": "/csi"},
        {"name": "pods-mount-dir", "mountPath": f"{_KUBELET}/pods", "mountPropagation": "Bidirectional"},
        {"name": "plugins-dir", "mountPath": f"{_KUBELET}/plugins", "mountPropagation": "Bidirectional"},
        {"name": "device-dir", "mountPath": "/dev"},
    ]
    plugin = f"{_KUBELET}/plugins/{DRIVER}"
    node = {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": f"{DRIVER}-node", "namespace": ns, "labels": labels},
        "spec": {
            "selector": {"matchLabels": {**labels, "app.kubernetes.io/component": "node"}},
            # One node's plugin at a time: its mounts are on the node, a restart interrupts them.
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": {**labels, "app.kubernetes.io/component": "node"}},
                "spec": {
                    "serviceAccountName": f"{DRIVER}-node",
                    "containers": [
                        {"name": "csi-node-driver-registrar", "image": SIDECARS["csi-node-driver-registrar"], "resources": RESOURCES,
                         "args": [*sidecar_args, f"--kubelet-registration-path={plugin}/csi.sock",
                                  "--http-endpoint=:9809"],
                         **_http_probes("/healthz", 9809),
                         "volumeMounts": [{"name": "plugin-dir", "mountPath": "/csi"},
                                          {"name": "registration-dir", "mountPath": "/registration"}]},
                        node_driver,
                    ],
                    "volumes": [
                        {"name": "plugin-dir", "hostPath": {"path": plugin, "type": "DirectoryOrCreate"}},
                        {"name": "registration-dir",
                         "hostPath": {"path": f"{_KUBELET}/plugins_registry", "type": "Directory"}},
                        {"name": "pods-mount-dir", "hostPath": {"path": f"{_KUBELET}/pods", "type": "Directory"}},
                        {"name": "plugins-dir", "hostPath": {"path": f"{_KUBELET}/plugins", "type": "Directory"}},
                        {"name": "device-dir", "hostPath": {"path": "/dev"}},
                    ],
                },
            },
        },
    }
    rules = {
        "controller": [
            {"apiGroups": [""], "resources": ["persistentvolumes"],
             "verbs": ["get", "list", "watch", "create", "delete", "patch"]},
            {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["get", "list", "watch", "update"]},
            {"apiGroups": [""], "resources": ["persistentvolumeclaims/status"], "verbs": ["patch"]},
            {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses", "csinodes"],
             "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["events"], "verbs": ["list", "watch", "create", "update", "patch"]},
            {"apiGroups": [""], "resources": ["nodes", "pods"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
             "verbs": ["get", "watch", "list", "delete", "update", "create"]},
        ],
        "node": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]}],
    }
    docs: dict[str, dict[str, Any]] = {
        "seaweedfs-csi-namespace": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
        "seaweedfs-csi-driver": {
            "apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {"name": DRIVER},
            "spec": {"attachRequired": False, "podInfoOnMount": True, "fsGroupPolicy": "File"},
        },
    }
    for component, component_rules in rules.items():
        account = f"{DRIVER}-{component}"
        docs[f"seaweedfs-csi-{component}-account"] = {
            "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": account, "namespace": ns}}
        docs[f"seaweedfs-csi-{component}-role"] = {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": account},
            "rules": component_rules}
        docs[f"seaweedfs-csi-{component}-binding"] = {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": account},
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": ns}],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": account}}
    docs["seaweedfs-csi-controller"] = controller
    docs["seaweedfs-csi-node"] = node
    return docs
