#!/bin/bash
# Leave step, on a remaining master: move every volume of the volume server $GT_VOLUME ($GT_NODE) onto the other
# volume servers (`volumeServer.evacuate`), then stop its heartbeat (`volumeServer.leave`), so the masters place
# nothing more on it before its unit stops (the next step, on the node). The files stay on its disk.
# Idempotent: a server the masters do not list has nothing left to move (evacuated already, or gone).
# A volume that cannot move (too few servers left for its replication) stops the leave with weed's reason.
# Parameters: GT_NODE, GT_VOLUME (ip:port), GT_MASTERS (comma-separated), GT_SCHEME, GT_WEED, GT_TIMEOUT.
fail() { echo "$GT_NODE: $*" >&2; exit 1; }
weed_shell() { printf '%s\n' "$@" | "$GT_WEED" shell -master="$GT_MASTERS" 2>&1; }
held() {  # what the masters' topology says $GT_VOLUME holds: its volumes and EC shards, or "absent"
  local master status
  for master in ${GT_MASTERS//,/ }; do
    if status=$(curl -fsS --max-time 10 "$GT_SCHEME://$master/dir/status"); then
      python3 -c '
import json, sys
topology = json.loads(sys.argv[2]).get("Topology") or {}
for dc in topology.get("DataCenters") or []:
    for rack in dc.get("Racks") or []:
        for node in rack.get("DataNodes") or []:
            if node.get("Url") == sys.argv[1]:
                print(int(node.get("Volumes") or 0) + int(node.get("EcShards") or 0))
                sys.exit(0)
print("absent")' "$GT_VOLUME" "$status"
      return 0
    fi
  done
  fail "no SeaweedFS master of $GT_MASTERS answers /dir/status: cannot tell what $GT_NODE holds"
}

before=$(held)
if [ "$before" = absent ]; then
  echo "$GT_VOLUME is not in the SeaweedFS topology: nothing to evacuate"
  exit 0
fi
if [ "$before" != 0 ]; then
  if ! out=$(weed_shell lock "volumeServer.evacuate -node $GT_VOLUME -force" unlock); then
    fail "volumeServer.evacuate -node $GT_VOLUME failed: $out"
  fi
fi
for ((i = 0; ; i++)); do  # the masters learn of each move from the servers' heartbeats
  now=$(held)
  if [ "$now" = 0 ] || [ "$now" = absent ]; then break; fi
  if [ "$i" -ge "$GT_TIMEOUT" ]; then
    fail "$GT_VOLUME still holds $now volumes or EC shards after evacuation (${out:-}); the leave stops before its unit does"
  fi
  sleep 1
done
if [ "$now" = 0 ]; then
  weed_shell lock "volumeServer.leave -node $GT_VOLUME -force" unlock >/dev/null || true
  for ((i = 0; ; i++)); do  # its heartbeat stream ends, and the masters drop it
    if [ "$(held)" = absent ]; then break; fi
    if [ "$i" -ge 60 ]; then fail "$GT_VOLUME is still in the SeaweedFS topology 60s after volumeServer.leave"; fi
    sleep 1
  done
fi
gt_changed "moved $before volumes or EC shards off $GT_VOLUME ($GT_NODE); it left the SeaweedFS topology"
