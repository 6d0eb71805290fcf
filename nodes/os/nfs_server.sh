#!/bin/bash
# This node's NFS exports, in their own file under /etc/exports.d (the distribution's /etc/exports is left
# alone). A missing export directory is created; an existing one (often a mounted disk) is not touched.
gt_apt_install nfs-kernel-server
for dir in $GT_EXPORT_DIRS; do
  if [ ! -d "$dir" ]; then
    install -d -m 0755 -o root -g root "$dir"
    gt_changed "$dir"
  fi
done
if gt_write "$GT_EXPORTS_FILE" 0644 "$GT_EXPORTS"; then
  exportfs -ra
  gt_changed "re-exported"
fi
gt_enable_now nfs-server.service
