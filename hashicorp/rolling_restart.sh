#!/bin/bash
# Start a HashiCorp agent, or restart it when one of its configuration files changed (their write steps leave
# a flag in /var/lib/goldentooth/restart, kept across reboots), then wait until its cluster is healthy again
# before the next member's step may begin (each server's step depends on the previous server's). A member
# that had no state before this step is bootstrapping: its quorum cannot be healthy until the others start
# too, so it does not wait.
# Parameters: GT_UNIT, GT_STATE (a path that exists once the member has joined its cluster), GT_HEALTH (a
# shell command that exits 0 while the quorum is healthy), GT_TIMEOUT (seconds).
flag=/var/lib/goldentooth/restart/$GT_UNIT
had_state=no
if [ -e "$GT_STATE" ]; then had_state=yes; fi

if ! systemctl is-active --quiet "$GT_UNIT"; then
  if ! systemctl is-enabled --quiet "$GT_UNIT"; then
    systemctl enable --quiet "$GT_UNIT"
    gt_changed "enabled $GT_UNIT"
  fi
  systemctl start "$GT_UNIT"
  rm -f -- "$flag"
  gt_changed "started $GT_UNIT"
elif [ -e "$flag" ]; then
  systemctl restart "$GT_UNIT"
  rm -f -- "$flag"
  gt_changed "restarted $GT_UNIT"
else
  exit 0
fi

if [ "$had_state" = no ]; then
  exit 0
fi
deadline=$((SECONDS + GT_TIMEOUT))
until bash -c "$GT_HEALTH" >/dev/null 2>&1; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "$GT_UNIT restarted, but its quorum was not healthy within ${GT_TIMEOUT}s (check: $GT_HEALTH);" \
      "the next member was not restarted" >&2
    exit 1
  fi
  sleep 2
done
