#!/bin/bash
# Run on the init node as part of one node's join, every time that join runs: make the join's credentials valid
# now. The fixed bootstrap token gets a fresh two-hour expiry; for a control-plane join the control-plane
# certificates are uploaded again, encrypted with the fixed certificate key (kubeadm deletes them after two
# hours). Both secrets arrive on stdin (token, then certificate key) and never appear in a command line.
# A node that already belongs must still have the address config gives it: kubeadm cannot move a node.
IFS= read -r token
IFS= read -r certificate_key || true
if ! [[ $token =~ ^([a-z0-9]{6})\.([a-z0-9]{16})$ ]]; then
  echo "the bootstrap token on stdin is malformed" >&2
  exit 1
fi
token_id=${BASH_REMATCH[1]}
token_secret=${BASH_REMATCH[2]}
kubectl=(kubectl --kubeconfig /etc/kubernetes/admin.conf)
registered=$("${kubectl[@]}" get node "$GT_FOR" --ignore-not-found \
  -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
if [ -n "$registered" ] && [ "$registered" != "$GT_FOR_IP" ]; then
  echo "$GT_FOR is registered with the address $registered but config gives it $GT_FOR_IP; kubeadm cannot move" \
    "a joined node. Put the old address back, or change it as the README's 'Changing a node's address' says" \
    "(leave, then join at the new address)" >&2
  exit 1
fi
if [ "$GT_CONTROL_PLANE" = yes ]; then
  if ! [[ $certificate_key =~ ^[0-9a-f]{64}$ ]]; then
    echo "the certificate key on stdin is malformed" >&2
    exit 1
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # A private config file carries the key: as a command-line flag it would show in the process list.
  umask 077
  cat >"$work/upload-certs.yaml" <<CONFIG
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
certificateKey: "$certificate_key"
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: "v$GT_VERSION"
certificatesDir: "$GT_PKI_DIR"
CONFIG
  umask 022
  kubeadm init phase upload-certs --upload-certs --config "$work/upload-certs.yaml" >/dev/null
  gt_changed "control-plane certificates uploaded for $GT_FOR (valid two hours)"
fi
expires=$(date -u -d '+2 hours' '+%Y-%m-%dT%H:%M:%SZ')
"${kubectl[@]}" apply --server-side --field-manager=goldentooth -f - >/dev/null <<MANIFEST
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
