#!/bin/bash
# Register this node's services with its local Consul agent (HTTPS API, the node's registration token) and
# deregister those the program registered before but no longer declares. A service is re-registered only when
# its definition changed (its digest is kept in /var/lib/goldentooth/consul-services), so a re-run is silent.
# stdin: {"Token": ..., "Services": [AgentServiceRegistration JSON, ...]} (secret: the token).
# Parameters: GT_CONSUL_URL, GT_CA, GT_CERT, GT_KEY.
doc=$(cat)
state=/var/lib/goldentooth/consul-services
install -d -m 0700 "$state"
headers=""
gt_mktemp headers
printf 'X-Consul-Token: %s\nContent-Type: application/json\n' "$(jq -r .Token <<<"$doc")" >"$headers"
api() {
  curl --silent --show-error --fail --cacert "$GT_CA" --cert "$GT_CERT" --key "$GT_KEY" -H "@$headers" "$@"
}
wanted=()
count=$(jq '.Services | length' <<<"$doc")
for ((i = 0; i < count; i++)); do
  service=$(jq -cS ".Services[$i]" <<<"$doc")
  id=$(jq -r .ID <<<"$service")
  wanted+=("$id")
  sum=$(printf '%s' "$service" | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$state/$id" 2>/dev/null || true)" = "$sum" ] \
    && api -o /dev/null "$GT_CONSUL_URL/v1/agent/service/$id" 2>/dev/null; then
    continue
  fi
  printf '%s' "$service" | api -X PUT --data-binary @- -o /dev/null "$GT_CONSUL_URL/v1/agent/service/register"
  printf '%s\n' "$sum" >"$state/$id"
  gt_changed "consul service $id registered"
done
for file in "$state"/*; do
  [ -e "$file" ] || continue
  id=${file##*/}
  if [ "${#wanted[@]}" -gt 0 ] && gt_in_list "$id" "${wanted[@]}"; then continue; fi
  api -X PUT -o /dev/null "$GT_CONSUL_URL/v1/agent/service/deregister/$id"
  rm -f -- "$file"
  gt_changed "consul service $id deregistered"
done
