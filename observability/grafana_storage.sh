#!/bin/bash
# Grafana adopted: its state on the disk, not a tmpfs (G26): the Ansible era mounted GT_DATA_DIR as tmpfs from fstab.
# Adopt what is there: copy the live tmpfs content (grafana.db) to the disk underneath before unmounting it,
# then drop the entry from GT_FSTAB (/etc/fstab) so the next boot does not hide it again.
if findmnt -n -t tmpfs --mountpoint "$GT_DATA_DIR" >/dev/null 2>&1; then
  keep=$(mktemp -d)
  systemctl stop grafana-server.service 2>/dev/null || true
  cp -a "$GT_DATA_DIR/." "$keep/"
  umount "$GT_DATA_DIR"
  cp -a "$keep/." "$GT_DATA_DIR/"
  rm -rf "$keep"
  gt_changed "moved $GT_DATA_DIR from tmpfs to disk"
fi
if awk -v dir="$GT_DATA_DIR" '$2 == dir && $3 == "tmpfs" { found = 1 } END { exit !found }' "$GT_FSTAB"; then
  tmp=""
  gt_mktemp tmp
  awk -v dir="$GT_DATA_DIR" '!($2 == dir && $3 == "tmpfs")' "$GT_FSTAB" >"$tmp"
  gt_install_file "$tmp" "$GT_FSTAB" 0644 root root || true
  gt_changed "dropped the tmpfs entry for $GT_DATA_DIR from $GT_FSTAB"
fi
gt_ensure_dir "$GT_DATA_DIR" 0750 "$GT_OWNER" "$GT_OWNER"
# The Ansible era's provisioning (all.yml: a second "Prometheus" datasource, a provider for the git clone) and
# its dashboard cron job would fight the files this program provisions: GT_RETIRE lists them, one a line.
while read -r stale; do
  if [ -n "$stale" ] && [ -e "$stale" ]; then
    rm -f -- "$stale"
    gt_changed "removed $stale (Ansible era)"
  fi
done <<<"${GT_RETIRE:-}"
