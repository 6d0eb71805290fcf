#!/bin/bash
# Ceph's Debian (Pacific) packages for this node's daemons, and ceph.conf.
read -r -a packages <<<"$GT_PACKAGES"
gt_apt_install "${packages[@]}"
gt_ensure_dir /etc/ceph 0755 root root
if gt_write /etc/ceph/ceph.conf 0644 "$GT_CEPH_CONF"; then :; fi
