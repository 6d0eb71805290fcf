#!/bin/bash
# This node's SeaweedFS servers: security.toml and the units, (re)started when they changed, then held until they
# answer, so the next SeaweedFS node changes only after this one is back. A master also waits for a raft leader
# once another master answers (on the very first start of the cluster, the first master has nobody to elect with).
if gt_write /etc/seaweedfs/security.toml 0644 "$GT_SECURITY"; then :; fi
# Servers this node no longer runs (the predecessor ran a fourth master on payne): stopped and removed once the
# configured ones are up. A master that was in roles.seaweedfs.masters is removed from the raft by its leave step
# (storage/seaweedfs/leave.py), which runs after this update in the same `up`; one this program never configured
# (the predecessor's) has no leave step: `cluster.raft.remove` in weed shell. A volume server that still holds
# volumes is left running: its leave step (a delete, which the engine runs after every update) moves them off
# before it stops it.
holds_volumes() {
  local answer
  answer=$(curl -fsS --max-time 3 "$GT_SCHEME://$GT_IP:$GT_VOLUME_PORT/status" 2>/dev/null) || return 1
  python3 -c 'import json, sys; sys.exit(0 if json.loads(sys.argv[1]).get("Volumes") else 1)' "$answer"
}
for kind in $GT_RETIRED; do
  unit=/etc/systemd/system/seaweedfs-$kind.service
  if [ "$kind" = volume ] && [ -e "$unit" ] && holds_volumes; then
    echo "seaweedfs-volume still holds volumes: left running for its leave step to evacuate"
  elif [ -e "$unit" ]; then
    systemctl disable --now "seaweedfs-$kind.service" || true
    rm -f "$unit"
    systemctl daemon-reload
    gt_changed "retired seaweedfs-$kind"
  fi
done
gt_units_apply
answers() { curl -fsS --max-time 3 -o /dev/null "$1"; }
wait_for() {
  local what=$1 check=$2 i
  for ((i = 0; i < GT_WAIT_SECONDS; i++)); do
    if "$check"; then return 0; fi
    sleep 1
  done
  gt_fail "$what did not come up within ${GT_WAIT_SECONDS}s"
}
master_up() { answers "$GT_SCHEME://$GT_IP:$GT_MASTER_PORT/cluster/status"; }
leader_known() {
  curl -fsS --max-time 3 "$GT_SCHEME://$GT_IP:$GT_MASTER_PORT/cluster/status" | grep -q '"Leader":"[^"]'
}
volume_up() { answers "$GT_SCHEME://$GT_IP:$GT_VOLUME_PORT/status"; }
filer_up() { answers "$GT_SCHEME://$GT_IP:$GT_FILER_PORT/"; }
for kind in $GT_KINDS; do
  case $kind in
    master)
      wait_for "seaweedfs-master" master_up
      for peer in $GT_PEERS; do
        if [ "$peer" != "$GT_IP:$GT_MASTER_PORT" ] && answers "$GT_SCHEME://$peer/cluster/status"; then
          wait_for "a SeaweedFS raft leader" leader_known
          break
        fi
      done ;;
    volume) wait_for "seaweedfs-volume" volume_up ;;
    filer) wait_for "seaweedfs-filer" filer_up ;;
  esac
done
