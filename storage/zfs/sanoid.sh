#!/bin/bash
# sanoid's policy (GT_SANOID_CONF) and its timer, which the package ships and which takes and prunes snapshots.
gt_ensure_dir /etc/sanoid 0755 root root
if gt_write /etc/sanoid/sanoid.conf 0644 "$GT_SANOID_CONF"; then :; fi
gt_enable_now sanoid.timer
