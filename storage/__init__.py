"""The storage layer: data disks as data, ZFS with snapshots and replication, SeaweedFS, Ceph, StorageClasses.
Each backend has its folder; `component.py` puts them together from `StorageArgs`."""
