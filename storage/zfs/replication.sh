#!/bin/bash
# On the primary: the replication-lag metric helper, syncoid's known-hosts directory and the per-replica
# syncoid units; the timers are enabled and started (a timer does not start its service when it starts).
gt_ensure_dir /var/lib/goldentooth/zfs 0700 root root
gt_ensure_dir "$GT_TEXTFILE_DIR" 0755 root root
if gt_write "$GT_METRIC_PATH" 0755 "$GT_METRIC_SCRIPT"; then :; fi
gt_units_apply
