"""Stack edits for the storage tests: Ceph switched on (it is off in the real stack) on the reference's nodes,
each with a modelled disk for its OSD, and the reference's RBD StorageClasses."""

from typing import Any

from tests.conftest import node_entry

CEPH_NODES = ("fenn", "karstark", "lipps")


def ceph_disk(name: str) -> dict[str, Any]:
    return {"device": f"/dev/disk/by-id/usb-LAB_{name}_ceph", "sizeGb": 500, "kind": "usb", "purpose": "ceph"}


def enable_ceph(plain: dict[str, Any], *, default: str | None = "ceph-rbd") -> None:
    for name in CEPH_NODES:
        node_entry(plain, name).setdefault("disks", []).append(ceph_disk(name))
    storage = plain.setdefault("storage", {})
    storage.setdefault("ceph", {})["enabled"] = True
    storage["storageClasses"] = [
        *storage.get("storageClasses", []),
        {"name": "ceph-rbd", "backend": "ceph-rbd", "reclaimPolicy": "Delete", "bindingMode": "Immediate",
         "pool": "kubernetes"},
        {"name": "ceph-rbd-retain", "backend": "ceph-rbd", "reclaimPolicy": "Retain", "bindingMode": "Immediate",
         "pool": "kubernetes"},
        {"name": "ceph-rbd-fast", "backend": "ceph-rbd", "reclaimPolicy": "Delete", "bindingMode": "Immediate",
         "pool": "goldentooth-storage"},
    ]
    if default is not None:
        storage["defaultStorageClass"] = default
