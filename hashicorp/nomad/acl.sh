#!/bin/bash
# Nomad's ACLs bootstrapped once, with the management token the program decided (pulumi-random) or adopted
# (goldentooth:nomadManagementToken): a re-run finds the token valid and changes nothing; a cluster bootstrapped
# with another token stops with the way to adopt it. stdin (secret): the token.
# Parameters: GT_NOMAD_URL, GT_CA, GT_CERT, GT_KEY (the CLI certificate: verify_https_client), GT_NODE, GT_TIMEOUT.
token=$(cat)
headers=""
gt_mktemp headers
printf 'X-Nomad-Token: %s\nContent-Type: application/json\n' "$token" >"$headers"
tls=(--silent --cacert "$GT_CA" --cert "$GT_CERT" --key "$GT_KEY")

deadline=$((SECONDS + GT_TIMEOUT))
until [ -n "$(curl "${tls[@]}" "$GT_NOMAD_URL/v1/status/leader" 2>/dev/null | tr -d '"')" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "no Nomad leader on $GT_NODE after ${GT_TIMEOUT}s" >&2
    exit 1
  fi
  sleep 2
done

if [ "$(curl "${tls[@]}" -H "@$headers" -o /dev/null -w '%{http_code}' "$GT_NOMAD_URL/v1/acl/token/self")" = 200 ]; then
  exit 0
fi
body=""
gt_mktemp body
jq -n --arg secret "$token" '{BootstrapSecret: $secret}' >"$body"
status=$(curl "${tls[@]}" -H "@$headers" -X POST --data-binary "@$body" -o /dev/null -w '%{http_code}' \
  "$GT_NOMAD_URL/v1/acl/bootstrap")
if [ "$status" != 200 ]; then
  echo "Nomad on $GT_NODE refused the ACL bootstrap ($status): its ACLs were bootstrapped with another token." \
    "Adopt it: store that token as the stack secret goldentooth:nomadManagementToken. Nothing changed." >&2
  exit 1
fi
gt_changed "nomad ACLs bootstrapped on $GT_NODE"
