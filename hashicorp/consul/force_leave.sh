#!/bin/bash
# On a remaining Consul server, before the rebuilt $GT_NODE joins again (lifecycle/forget.py): force its old
# incarnation out of the member list, as `consul force-leave -prune` does, so the new agent (a new node id on the
# reflashed disk) does not meet a name the cluster still holds. Safe to retry: a node that is no member has
# nothing to forget; an alive member is no old incarnation (the node was not reflashed, or the new agent already
# joined) and is left alone.
# stdin: a token with operator:write (the management token, secret). Parameters: GT_NODE, GT_TIMEOUT (seconds).
token=$(cat)
headers=""
gt_mktemp headers
printf 'X-Consul-Token: %s\n' "$token" >"$headers"
api=(curl --silent --show-error --fail --cacert /etc/ssl/certs/goldentooth.pem --cert /etc/consul.d/certs/tls.crt
  --key /etc/consul.d/certs/tls.key -H "@$headers")
url=https://127.0.0.1:8501

# The member's serf status (1 alive, 2 leaving, 3 left, 4 failed); empty when it is no member.
status() {
  local members
  if ! members=$("${api[@]}" "$url/v1/agent/members"); then
    echo "the Consul agent on this server does not list its members: is it running, and is the token valid?" >&2
    return 1
  fi
  jq -r --arg n "$GT_NODE" '[.[] | select(.Name == $n)][0].Status // empty' <<<"$members"
}

now=$(status)
case $now in
  "")
    echo "$GT_NODE is no Consul member: nothing to forget"
    exit 0
    ;;
  1)
    echo "$GT_NODE is an alive Consul member: no old incarnation to forget"
    exit 0
    ;;
esac
"${api[@]}" -X PUT "$url/v1/agent/force-leave/$GT_NODE?prune=1" >/dev/null
deadline=$((SECONDS + GT_TIMEOUT))
while :; do
  left=$(status)
  if [ -z "$left" ]; then break; fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Consul still lists $GT_NODE ${GT_TIMEOUT}s after the force-leave" >&2
    exit 1
  fi
  sleep 1
done
gt_changed "forced the old $GT_NODE out of the Consul members (status $now)"
