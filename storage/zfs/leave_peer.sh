#!/bin/bash
# Leave step, on the ZFS primary: stop replicating to each of $GT_PEERS. Its timer is disabled first, a
# replication already running is given $GT_TIMEOUT seconds to finish, then the syncoid units, the peer's
# replication-lag metric files and its known-hosts entry go. GT_KEY_PATH (when the primary itself leaves) is
# its copy of the replication key, removed too. No pool or dataset is touched, here or on the peer.
# Idempotent: what is gone already is skipped. Parameters: GT_PEERS, GT_ADDRESSES (in the same order),
# GT_METRIC_FILES (one per line), GT_KNOWN_HOSTS, GT_KEY_PATH ("" = keep it), GT_TIMEOUT.
reload=0
for peer in $GT_PEERS; do
  timer=syncoid-$peer.timer service=syncoid-$peer.service
  if [ -e "/etc/systemd/system/$timer" ]; then
    systemctl disable --now "$timer"
    rm -f "/etc/systemd/system/$timer"
    reload=1
    gt_changed "stopped replicating to $peer ($timer removed)"
  fi
  for ((i = 0; i < GT_TIMEOUT; i++)); do
    if ! systemctl is-active --quiet "$service"; then break; fi
    sleep 1
  done
  if systemctl is-active --quiet "$service"; then
    systemctl stop "$service"  # a receive cut short is discarded by the peer; its pool keeps the last snapshot
    gt_changed "stopped the replication to $peer still running after ${GT_TIMEOUT}s"
  fi
  if [ -e "/etc/systemd/system/$service" ]; then
    rm -f "/etc/systemd/system/$service"
    reload=1
    gt_changed "removed $service"
  fi
done
if [ "$reload" = 1 ]; then systemctl daemon-reload; fi
while IFS= read -r file; do
  if [ -n "$file" ] && [ -e "$file" ]; then
    rm -f "$file"
    gt_changed "removed the replication metric $file"
  fi
done <<<"$GT_METRIC_FILES"
for address in $GT_ADDRESSES; do
  if [ -f "$GT_KNOWN_HOSTS" ] && ssh-keygen -F "$address" -f "$GT_KNOWN_HOSTS" >/dev/null; then
    ssh-keygen -R "$address" -f "$GT_KNOWN_HOSTS" >/dev/null 2>&1
    rm -f "$GT_KNOWN_HOSTS.old"
    gt_changed "forgot $address's host key in $GT_KNOWN_HOSTS"
  fi
done
if [ -n "$GT_KEY_PATH" ] && [ -e "$GT_KEY_PATH" ]; then
  rm -f "$GT_KEY_PATH"
  gt_changed "removed the replication key $GT_KEY_PATH"
fi
