#!/bin/bash
# Join this node (worker, or control plane when the config has a controlPlane section) whenever it does not
# belong: kubelet.conf exists only on a node that does, so a reflashed node joins again when this step re-runs.
# Nothing is ever reset. The init node made the token (and certificates) valid just before this step.
if [ -f /etc/kubernetes/kubelet.conf ]; then
  echo "$(hostname) already belongs to the cluster (/etc/kubernetes/kubelet.conf exists); not joining again"
  exit 0
fi
# The API is reached through the load balancer; give it time to come up after init or a reboot.
deadline=$((SECONDS + 300))
until (exec 3<>"/dev/tcp/$GT_ENDPOINT_HOST/$GT_ENDPOINT_PORT") 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "the API endpoint $GT_ENDPOINT_HOST:$GT_ENDPOINT_PORT did not answer within 300 s" >&2
    exit 1
  fi
  sleep 5
done
if ! kubeadm join --config "$GT_CONFIG"; then
  echo "kubeadm join of $GT_NODE ($GT_NODE_IP) failed. If its token or certificates expired (two hours after" \
    "the init node's credentials step for it), run that step again: pulumi up --replace on" \
    "'$GT_CREDENTIALS' re-runs it and, after it, this join" >&2
  exit 1
fi
gt_changed "joined the cluster through $GT_ENDPOINT_HOST:$GT_ENDPOINT_PORT"
