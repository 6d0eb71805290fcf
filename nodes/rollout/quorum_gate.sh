#!/bin/bash
# Before the $GT_ACTION (reboot, upgrade) of $GT_MEMBER, on $GT_RUN_ON: wait until quorum $GT_QUORUM is healthy (every
# earlier member is back and the quorum can lose one more), or give up after $GT_TIMEOUT seconds naming node and
# check. With GT_IF_REBOOTING=1, stdin is the member's reboot-check line: a member that does not reboot needs no
# gate. A quorum that does not exist yet (a first converge: $GT_PRESENT does not hold) has nothing to wait for.
status=$(cat)
if [ "$GT_IF_REBOOTING" = 1 ] && [[ $status != "reboot required"* ]]; then
  echo "$GT_MEMBER does not reboot (${status:-no status}): quorum $GT_QUORUM not checked"
  exit 0
fi
if ! bash -c "$GT_PRESENT" >/dev/null 2>&1; then
  echo "quorum $GT_QUORUM is not set up on $GT_RUN_ON yet: nothing to wait for before the $GT_ACTION of $GT_MEMBER"
  exit 0
fi
# SECONDS ticks on whole wall-clock seconds, so its first tick can come at once: one more keeps the wait at least
# the timeout.
deadline=$((SECONDS + GT_TIMEOUT + 1))
attempts=0
while :; do
  attempts=$((attempts + 1))
  if out=$(bash -c "$GT_CHECK" 2>&1); then
    break
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    {
      echo "quorum $GT_QUORUM is not healthy after ${GT_TIMEOUT}s ($attempts checks on $GT_RUN_ON):" \
        "stopping before the $GT_ACTION of $GT_MEMBER"
      echo "check: $GT_CHECK"
      if [ -n "$out" ]; then echo "last output: $(tail -n 5 <<<"$out")"; fi
    } >&2
    exit 1
  fi
  if [ "$attempts" -eq 1 ]; then
    echo "quorum $GT_QUORUM not healthy yet; waiting up to ${GT_TIMEOUT}s before the $GT_ACTION of $GT_MEMBER"
  fi
  sleep "$GT_INTERVAL"
done
echo "quorum $GT_QUORUM healthy (check $attempts on $GT_RUN_ON): the $GT_ACTION of $GT_MEMBER goes ahead"
