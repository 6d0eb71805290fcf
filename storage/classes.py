"""The StorageClasses the config lists, for the backends that are on, with exactly one default when the config
names one (`storage.defaultStorageClass`)."""

from typing import Any

from config.spec import ClusterSpec
from config.storage import StorageClassSpec
from storage.kube import storage_class
from storage.seaweedfs.csi import DRIVER as SEAWEEDFS_DRIVER

RBD_DRIVER = "rbd.csi.ceph.com"
CEPH_SECRET = "csi-rbd-secret"


def _parameters(spec: ClusterSpec, cls: StorageClassSpec) -> dict[str, str]:
    if cls.backend == "seaweedfs":
        return {"replication": spec.storage.seaweedfs.default_replication}
    ceph = spec.storage.ceph
    assert cls.pool is not None
    return {
        "clusterID": ceph.cluster_id,
        "pool": cls.pool,
        "imageFeatures": "layering",
        "csi.storage.k8s.io/fstype": "ext4",
        **{f"csi.storage.k8s.io/{role}-secret-{part}": (CEPH_SECRET if part == "name" else ceph.csi_namespace)
           for role in ("provisioner", "controller-expand", "node-stage") for part in ("name", "namespace")},
    }


def storage_classes(spec: ClusterSpec) -> dict[str, dict[str, Any]]:
    """name -> StorageClass manifest for every class whose backend is on."""
    storage = spec.storage
    result = {}
    for cls in storage.storage_classes:
        if cls.backend == "ceph-rbd" and not storage.ceph.enabled:
            continue
        if cls.backend == "seaweedfs" and spec.roles.seaweedfs is None:
            continue
        provisioner = SEAWEEDFS_DRIVER if cls.backend == "seaweedfs" else RBD_DRIVER
        result[cls.name] = storage_class(cls.name, provisioner, reclaim=cls.reclaim_policy, binding=cls.binding_mode,
                                         default=cls.name == storage.default_storage_class,
                                         parameters=_parameters(spec, cls))
    return result
