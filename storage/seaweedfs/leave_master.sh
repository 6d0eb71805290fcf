#!/bin/bash
# Leave step, on a remaining master: remove the master $GT_MASTER_ID ($GT_NODE) from the master raft
# (`cluster.raft.remove`), once the members left would still have a quorum: a majority of them answer and know a
# leader. Its unit stops after this (the next step, on the node), so it never runs outside a raft that counts it.
# Idempotent: a master the raft configuration does not list is already removed (or was never a member).
# Parameters: GT_NODE, GT_MASTER_ID (ip:port, the raft server id), GT_MASTERS (the other masters,
# comma-separated), GT_SCHEME, GT_WEED, GT_TIMEOUT (seconds to wait for a leader without it).
fail() { echo "$GT_NODE: $*" >&2; exit 1; }
status() { curl -fsS --max-time 5 "$GT_SCHEME://$1/cluster/status"; }
# field JSON NAME: the leader (`Leader`) or the raft servers, one per line (`Peers`), of a /cluster/status answer.
field() {
  python3 -c '
import json, sys
value = json.loads(sys.argv[1]).get(sys.argv[2]) or ""
print("\n".join(value) if isinstance(value, list) else value)' "$1" "$2"
}
# The raft configuration, as a master that knows a leader reports it (ids are ip:port, or ip:port.grpcPort).
configuration() {
  local master answer
  for master in ${GT_MASTERS//,/ }; do
    if answer=$(status "$master") && [ -n "$(field "$answer" Leader)" ]; then
      field "$answer" Peers
      return 0
    fi
  done
  return 1
}
address() {  # a raft server id's HTTP address: ip:port, without a `.grpcPort` suffix
  if [[ $1 =~ ^(.*:[0-9]+)\.[0-9]+$ ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; else printf '%s\n' "$1"; fi
}
member() { [ "$(address "$1")" = "$GT_MASTER_ID" ]; }
lists() {  # whether the raft servers $1 (one per line) include $GT_MASTER_ID
  local peer
  while IFS= read -r peer; do
    if member "$peer"; then return 0; fi
  done <<<"$1"
  return 1
}

peers=$(configuration) || fail "no master of $GT_MASTERS knows a raft leader: the raft has no quorum to remove $GT_MASTER_ID from"
listed="" remaining=() healthy=0
while IFS= read -r peer; do
  if [ -z "$peer" ]; then continue; fi
  if member "$peer"; then listed=$peer; else remaining+=("$peer"); fi
done <<<"$peers"
if [ -z "$listed" ]; then
  echo "$GT_MASTER_ID is not in the master raft: nothing to remove"
  exit 0
fi
for peer in "${remaining[@]}"; do
  if answer=$(status "$(address "$peer")") && [ -n "$(field "$answer" Leader)" ]; then healthy=$((healthy + 1)); fi
done
if [ $((2 * healthy)) -le "${#remaining[@]}" ]; then
  fail "only $healthy of the ${#remaining[@]} masters left without $GT_MASTER_ID (${remaining[*]}) answer with a leader: removing it would leave the master raft without a quorum; bring them back first"
fi
out=$(printf '%s\n' "cluster.raft.remove -id $listed" | "$GT_WEED" shell -master="$GT_MASTERS" 2>&1) || \
  fail "cluster.raft.remove -id $listed failed: $out"
for ((i = 0; ; i++)); do  # the rest elect a leader (a new one, if it led) and list it no more
  if peers=$(configuration) && ! lists "$peers"; then
    break
  fi
  if [ "$i" -ge "$GT_TIMEOUT" ]; then
    fail "the master raft still lists $GT_MASTER_ID, or has no leader, ${GT_TIMEOUT}s after cluster.raft.remove: $out"
  fi
  sleep 1
done
gt_changed "removed $GT_MASTER_ID ($GT_NODE) from the SeaweedFS master raft; ${#remaining[@]} masters remain"
