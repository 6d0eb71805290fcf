#!/bin/bash
# Forget step, on the ZFS primary, once per generation of a rebuilt replica (goldentooth rebuild): the old
# incarnation's host key leaves syncoid's known-hosts file, so the next replication to $GT_ADDRESS records the new
# incarnation's key (StrictHostKeyChecking=accept-new) instead of refusing it as a changed key. Replication is left
# as it is: the timer keeps its schedule, and the rebuilt replica's own steps authorize the key again.
# Idempotent: an address with no entry is skipped. Parameters: GT_ADDRESS, GT_KNOWN_HOSTS.
if [ -f "$GT_KNOWN_HOSTS" ] && ssh-keygen -F "$GT_ADDRESS" -f "$GT_KNOWN_HOSTS" >/dev/null; then
  ssh-keygen -R "$GT_ADDRESS" -f "$GT_KNOWN_HOSTS" >/dev/null 2>&1
  rm -f "$GT_KNOWN_HOSTS.old"
  gt_changed "forgot $GT_ADDRESS's old host key in $GT_KNOWN_HOSTS"
fi
