#!/bin/bash
# On a remaining control plane, before $GT_NODE's control plane is reset: remove its etcd member, so the quorum
# is counted without it before its etcd stops. Idempotent: a member that is not listed is already gone.
# Parameters: GT_NODE, GT_NODE_IP.
etcd=(etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt
  --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key)
id=$("${etcd[@]}" member list -w simple | awk -F', ' -v n="$GT_NODE" -v u="https://$GT_NODE_IP:2380" \
  '$3 == n || $4 == u { print $1 }')
if [ -z "$id" ]; then
  echo "$GT_NODE is not an etcd member; nothing to remove"
  exit 0
fi
"${etcd[@]}" member remove "$id" >/dev/null
gt_changed "removed $GT_NODE's etcd member $id"
"${etcd[@]}" endpoint health >/dev/null
