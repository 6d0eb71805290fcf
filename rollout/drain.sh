#!/bin/bash
# On the first control-plane node, before $GT_NODE reboots: cordon and drain it with the Ansible era's grace
# period. stdin: the node's reboot-check line; a node that does not reboot is left alone, as is a node the
# cluster does not know (a first converge: no admin.conf, or not joined yet). A marker records that the rollout
# cordoned it, so the uncordon after the reboot never undoes an operator's own cordon.
status=$(cat)
if [[ $status != "reboot required"* ]]; then
  echo "$GT_NODE does not reboot (${status:-no status}): not drained"
  exit 0
fi
if [ ! -f "$GT_KUBECONFIG" ]; then
  echo "no $GT_KUBECONFIG here: no cluster to drain $GT_NODE from yet"
  exit 0
fi
k=(kubectl --kubeconfig "$GT_KUBECONFIG")
if ! unschedulable=$("${k[@]}" get node "$GT_NODE" -o 'jsonpath={.spec.unschedulable}' 2>&1); then
  if [[ $unschedulable == *NotFound* ]]; then
    echo "$GT_NODE is not a node of the cluster (yet): nothing to drain"
    exit 0
  fi
  echo "cannot read node $GT_NODE from the API to drain it before its reboot: $unschedulable" >&2
  exit 1
fi
marker="$GT_MARKERS/$GT_NODE"
if [ "$unschedulable" != "true" ]; then
  install -d -m 0755 "$GT_MARKERS"
  printf '%s\n' "$status" >"$marker"
fi
"${k[@]}" drain "$GT_NODE" --ignore-daemonsets --delete-emptydir-data \
  --grace-period="$GT_GRACE_SECONDS" --timeout="${GT_TIMEOUT_SECONDS}s"
gt_changed "drained $GT_NODE before its reboot"
