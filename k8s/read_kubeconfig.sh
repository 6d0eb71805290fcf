#!/bin/bash
# Print the admin kubeconfig kubeadm wrote on the init node, after checking that it trusts the cluster CA on disk
# (the adopted one): the provider then talks to the live cluster with the live CA. The step's stdout is secret and
# its logging is off; the program rewrites the server to the load balancer and feeds the provider with it.
conf=/etc/kubernetes/admin.conf
ca="$GT_PKI_DIR/ca.crt"
embedded=$(sed -n 's/^[[:space:]]*certificate-authority-data:[[:space:]]*//p' "$conf" | head -n 1)
if [ -z "$embedded" ] || ! base64 -d <<<"$embedded" | cmp -s - "$ca"; then
  echo "$conf does not carry the cluster CA $ca (certificate-authority-data differs); refusing to hand it out" >&2
  exit 1
fi
cat "$conf"
