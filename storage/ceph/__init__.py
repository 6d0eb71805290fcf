"""Ceph from Debian's Pacific packages: monitors, managers, OSDs on the nodes' `ceph` disks, RBD pools, ceph-csi."""
