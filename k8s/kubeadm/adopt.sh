#!/bin/bash
# Look at the init node before anything of the bootstrap is written: an existing cluster CA is adopted (the init
# step and every join then use it), never replaced. When config pins a CA fingerprint and the node holds another
# one, or none, stop here: nothing has been written. A control plane that already runs must advertise the
# address config gives it (kubeadm cannot move a member; see the README for how to change a node's address).
# Prints nothing secret; the CA key is never read.
ca="$GT_PKI_DIR/ca.crt"
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/^.*=//; s/://g' | tr 'A-F' 'a-f'; }
if [ -e "$ca" ]; then
  if ! live=$(fingerprint "$ca" 2>/dev/null); then
    echo "$GT_NODE: $ca exists but is not a PEM certificate; refusing to continue (nothing written)" >&2
    exit 1
  fi
  if [ -n "$GT_CA_FINGERPRINT" ] && [ "$live" != "$GT_CA_FINGERPRINT" ]; then
    echo "$GT_NODE: $ca is another CA than config pins (kubernetes.caFingerprint): the node's is SHA-256 $live," \
      "config's is SHA-256 $GT_CA_FINGERPRINT; nothing written. Set kubernetes.caFingerprint to the node's" \
      "fingerprint to adopt it." >&2
    exit 1
  fi
  echo "adopting the existing cluster CA $ca (SHA-256 $live)"
elif [ -n "$GT_CA_FINGERPRINT" ]; then
  echo "$GT_NODE: config pins the cluster CA SHA-256 $GT_CA_FINGERPRINT (kubernetes.caFingerprint) but $ca" \
    "does not exist, so the init step would create another CA; nothing written" >&2
  exit 1
else
  echo "no cluster CA on $GT_NODE yet: the init step creates it"
fi
manifest=/etc/kubernetes/manifests/kube-apiserver.yaml
if [ -f "$manifest" ]; then
  advertised=$(sed -n 's/^[[:space:]]*- --advertise-address=//p' "$manifest" | head -n 1)
  if [ -n "$advertised" ] && [ "$advertised" != "$GT_NODE_IP" ]; then
    echo "$GT_NODE: the API server here advertises $advertised ($manifest) but config gives the node" \
      "$GT_NODE_IP; kubeadm cannot move a running control-plane member. Put the old address back, or change" \
      "it as the README's 'Changing a node's address' says (leave, then join at the new address)" >&2
    exit 1
  fi
fi
