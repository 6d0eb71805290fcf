#!/bin/bash
# On the first control-plane node, after $GT_NODE is back on its new boot: once its kubelet reports Ready, put
# it back in service, if the rollout cordoned it (drain.sh's marker). stdin: the node's reboot-check line.
status=$(cat)
marker="$GT_MARKERS/$GT_NODE"
if [[ $status != "reboot required"* ]] || [ ! -f "$marker" ]; then
  echo "$GT_NODE was not cordoned for a reboot: left as it is"
  exit 0
fi
k=(kubectl --kubeconfig "$GT_KUBECONFIG")
deadline=$((SECONDS + GT_TIMEOUT_SECONDS))
until [ "$("${k[@]}" get node "$GT_NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' \
  2>/dev/null)" = "True" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "$GT_NODE is not Ready ${GT_TIMEOUT_SECONDS}s after its reboot: left cordoned ($marker)" >&2
    exit 1
  fi
  sleep "$GT_INTERVAL"
done
"${k[@]}" uncordon "$GT_NODE"
rm -f -- "$marker"
gt_changed "uncordoned $GT_NODE after its reboot"
