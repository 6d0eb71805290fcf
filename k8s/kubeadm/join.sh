#!/bin/bash
# Join this node (worker, or control plane when the config has a controlPlane section), once.
# kubelet.conf exists only on a node that already belongs: then there is nothing to do, and nothing is reset.
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
kubeadm join --config "$GT_CONFIG"
gt_changed "joined the cluster through $GT_ENDPOINT_HOST:$GT_ENDPOINT_PORT"
