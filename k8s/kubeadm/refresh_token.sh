#!/bin/bash
# Run on the first control-plane node before a node joins: (re)create the fixed bootstrap token with a fresh
# two-hour expiry, so a node added months after init joins with the same token. The token arrives on stdin
# and is applied as a Secret from a here-document, so it never appears in a command line.
IFS= read -r token
if ! [[ $token =~ ^([a-z0-9]{6})\.([a-z0-9]{16})$ ]]; then
  echo "the bootstrap token on stdin is malformed" >&2
  exit 1
fi
token_id=${BASH_REMATCH[1]}
token_secret=${BASH_REMATCH[2]}
expires=$(date -u -d '+2 hours' '+%Y-%m-%dT%H:%M:%SZ')
kubectl --kubeconfig /etc/kubernetes/admin.conf apply --server-side --field-manager=goldentooth -f - >/dev/null <<MANIFEST
apiVersion: v1
kind: Secret
metadata:
  name: bootstrap-token-$token_id
  namespace: kube-system
type: bootstrap.kubernetes.io/token
stringData:
  token-id: "$token_id"
  token-secret: "$token_secret"
  expiration: "$expires"
  usage-bootstrap-authentication: "true"
  usage-bootstrap-signing: "true"
  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token
MANIFEST
gt_changed "bootstrap token valid until $expires for $GT_FOR"
