#!/bin/bash
# Initialise the control plane on the init node, once: kubeadm adopts the CA in /etc/kubernetes/pki or creates one.
# Never resets anything: an existing admin.conf means the cluster exists and kubeadm init has nothing to do.
# The last line of stdout is the CA pin joins use (`sha256:` + SHA-256 of the CA's DER public key), read back
# from the CA on disk: the live one when the cluster exists.
if [ -f /etc/kubernetes/admin.conf ]; then
  echo "control plane already initialised (/etc/kubernetes/admin.conf exists); not running kubeadm init"
else
  installed=$(kubeadm version -o short)
  if [ "$installed" != "v$GT_VERSION" ]; then
    echo "kubeadm on this node is $installed but the config asks for v$GT_VERSION" >&2
    exit 1
  fi
  # kubeadm prints join commands with the token and certificate key: keep them off stdout, which is parsed.
  kubeadm init --config "$GT_CONFIG" --upload-certs >&2
  gt_changed "kubeadm init (Kubernetes v$GT_VERSION)"
fi
ca="$GT_PKI_DIR/ca.crt"
hash=$(openssl x509 -in "$ca" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
if ! [[ $hash =~ ^[0-9a-f]{64}$ ]]; then
  echo "could not compute the CA pin from $ca" >&2
  exit 1
fi
echo "sha256:$hash"
