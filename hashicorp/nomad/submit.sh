#!/bin/bash
# Submit the program's Nomad jobs: a job is registered only when Nomad's plan shows a difference, so a re-run
# changes nothing; a job the program submitted before but no longer declares is stopped (its state is in
# /var/lib/goldentooth/nomad-jobs). stdin (secret): the management token. Parameters: GT_NOMAD_URL, GT_CA,
# GT_CERT, GT_KEY, GT_JOB_COUNT, GT_JOB_<i>_ID, GT_JOB_<i>_BODY (the registration request JSON).
token=$(cat)
headers=""
gt_mktemp headers
printf 'X-Nomad-Token: %s\nContent-Type: application/json\n' "$token" >"$headers"
api() { curl --silent --show-error --fail --cacert "$GT_CA" --cert "$GT_CERT" --key "$GT_KEY" -H "@$headers" "$@"; }
state=/var/lib/goldentooth/nomad-jobs
install -d -m 0700 "$state"
wanted=()
for ((i = 0; i < GT_JOB_COUNT; i++)); do
  id="GT_JOB_${i}_ID"; id=${!id}
  body="GT_JOB_${i}_BODY"; body=${!body}
  wanted+=("$id")
  plan=$(jq -c '. + {Diff: true}' <<<"$body" | api -X POST --data-binary @- "$GT_NOMAD_URL/v1/job/$id/plan")
  if [ "$(jq -r '.Diff.Type // "Added"' <<<"$plan")" = None ]; then
    touch "$state/$id"
    continue
  fi
  api -X POST --data-binary "$body" -o /dev/null "$GT_NOMAD_URL/v1/jobs"
  touch "$state/$id"
  gt_changed "nomad job $id submitted"
done
for file in "$state"/*; do
  [ -e "$file" ] || continue
  id=${file##*/}
  if [ "${#wanted[@]}" -gt 0 ] && gt_in_list "$id" "${wanted[@]}"; then continue; fi
  api -X DELETE -o /dev/null "$GT_NOMAD_URL/v1/job/$id"
  rm -f -- "$file"
  gt_changed "nomad job $id stopped"
done
