#!/bin/bash
# Time first: apt, TLS and etcd all trust the clock, and a Pi has no battery-backed clock (the cluster's big
# outage began with clock drift). chrony replaces systemd-timesyncd, steps the clock whenever it is off by more
# than a second, and this step waits until the clock is synchronised before any later step runs.
# apt refuses Release files that look "not yet valid" to a clock that is behind, so the update that installs
# chrony skips the date checks; every later update has a synchronised clock and checks them.
# shellcheck disable=SC2034  # read by gt_apt_install (components/shell/lib.sh, prepended to every step)
GT_APT_UPDATE_ARGS=(-o Acquire::Check-Date=false -o Acquire::Check-Valid-Until=false)
gt_apt_install chrony
if gt_write "$GT_CHRONY_DROP_IN" 0644 "$GT_CHRONY_CONF"; then
  if systemctl is-active --quiet chrony; then
    systemctl restart chrony
    gt_changed "restarted chrony"
  fi
fi
gt_enable_now chrony
# At most GT_WAIT_TRIES polls, ten seconds apart, until the remaining correction is below 0.1 s.
if ! chronyc -n waitsync "$GT_WAIT_TRIES" 0.1 >&2; then
  echo "the clock did not synchronise within $((GT_WAIT_TRIES * 10))s: check the NTP sources (chronyc sources)" >&2
  exit 1
fi
