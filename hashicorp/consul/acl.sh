#!/bin/bash
# Consul ACLs as code, on the first server: policies and tokens with preset ids, created when missing and
# updated when they differ, so a re-run changes nothing and nothing is ever minted twice.
# stdin: {"ManagementToken", "Policies": [{Name, Description, Rules}], "Tokens": [{AccessorID, SecretID,
# Description, Policies: [{Name}]}]} (secret). Parameters: GT_CONSUL_URL, GT_CA, GT_CERT, GT_KEY, GT_NODE.
#
# The management token is the servers' `acl.tokens.initial_management`: a fresh cluster's leader creates it
# when it bootstraps its ACLs. A cluster bootstrapped earlier with another token (the Ansible era printed one
# for the operator) is adopted by setting goldentooth:consulManagementToken to that token; this step never
# resets the ACL system.

doc=$(cat)
headers=""
gt_mktemp headers
printf 'X-Consul-Token: %s\nContent-Type: application/json\n' "$(jq -r .ManagementToken <<<"$doc")" >"$headers"
body=""
gt_mktemp body

# consul_api METHOD PATH [DATA]: prints the response body, returns 0 on 2xx, 1 on 404, 2 on 403, 3 otherwise.
consul_api() {
  local method=$1 path=$2 data=${3:-} status
  local args=(--silent --show-error --cacert "$GT_CA" --cert "$GT_CERT" --key "$GT_KEY" -H "@$headers"
    -X "$method" -o "$body" -w '%{http_code}')
  if [ -n "$data" ]; then args+=(--data-binary @-); fi
  status=$(printf '%s' "$data" | curl "${args[@]}" "$GT_CONSUL_URL$path") || status=000
  cat "$body"
  case $status in 2??) return 0 ;; 404) return 1 ;; 403) return 2 ;; *) return 3 ;; esac
}

# A leader first: the ACL system answers only once the servers have elected one.
deadline=$((SECONDS + ${GT_TIMEOUT:-300}))
until [ -n "$(curl --silent --cacert "$GT_CA" --cert "$GT_CERT" --key "$GT_KEY" \
  "$GT_CONSUL_URL/v1/status/leader" 2>/dev/null | tr -d '"')" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "no Consul leader on $GT_NODE after ${GT_TIMEOUT:-300}s: are the servers running and joined?" >&2
    exit 1
  fi
  sleep 2
done

rc=0
consul_api GET /v1/acl/token/self >/dev/null || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "Consul on $GT_NODE rejects the program's management token (ACL API answered $rc): its ACLs were" \
    "bootstrapped with another token. Adopt it: store that token as the stack" \
    "secret goldentooth:consulManagementToken (README, Secrets). Nothing was changed." >&2
  exit 1
fi

count=$(jq '.Policies | length' <<<"$doc")
for ((i = 0; i < count; i++)); do
  want=$(jq -c ".Policies[$i]" <<<"$doc")
  name=$(jq -r .Name <<<"$want")
  rc=0
  have=$(consul_api GET "/v1/acl/policy/name/$name") || rc=$?
  if [ "$rc" -eq 1 ]; then
    consul_api PUT /v1/acl/policy "$want" >/dev/null
    gt_changed "consul policy $name created"
  elif [ "$rc" -ne 0 ]; then
    echo "reading Consul policy $name failed ($rc): $have" >&2
    exit 1
  elif [ "$(jq -c '{Name, Description, Rules}' <<<"$have")" != "$(jq -c '{Name, Description, Rules}' <<<"$want")" ]; then
    id=$(jq -r .ID <<<"$have")
    consul_api PUT "/v1/acl/policy/$id" "$want" >/dev/null
    gt_changed "consul policy $name updated"
  fi
done

count=$(jq '.Tokens | length' <<<"$doc")
for ((i = 0; i < count; i++)); do
  want=$(jq -c ".Tokens[$i]" <<<"$doc")
  accessor=$(jq -r .AccessorID <<<"$want")
  description=$(jq -r .Description <<<"$want")
  rc=0
  have=$(consul_api GET "/v1/acl/token/$accessor") || rc=$?
  if [ "$rc" -eq 1 ]; then
    consul_api PUT /v1/acl/token "$want" >/dev/null
    gt_changed "consul token '$description' created"
    continue
  elif [ "$rc" -ne 0 ]; then
    echo "reading Consul token '$description' failed ($rc)" >&2
    exit 1
  fi
  if [ "$(jq -r .SecretID <<<"$have")" != "$(jq -r .SecretID <<<"$want")" ]; then
    # A secret id never changes in Consul: a rotated secret is a new token under the same accessor.
    consul_api DELETE "/v1/acl/token/$accessor" >/dev/null
    consul_api PUT /v1/acl/token "$want" >/dev/null
    gt_changed "consul token '$description' rotated"
  elif [ "$(jq -c '{Description, Policies: [.Policies[].Name] | sort}' <<<"$have")" != \
    "$(jq -c '{Description, Policies: [.Policies[].Name] | sort}' <<<"$want")" ]; then
    consul_api PUT "/v1/acl/token/$accessor" "$want" >/dev/null
    gt_changed "consul token '$description' updated"
  fi
done
