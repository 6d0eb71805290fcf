#!/bin/bash
# Drain a Nomad client with a deadline (its allocations move elsewhere), then stop its agent; run on the leaving
# node with the management token on stdin. Idempotent: a stopped agent has nothing left to drain.
# Parameters: GT_NODE, GT_DEADLINE (e.g. 10m).
NOMAD_TOKEN=$(cat)
export NOMAD_TOKEN NOMAD_ADDR=https://127.0.0.1:4646 NOMAD_CACERT=/etc/ssl/certs/goldentooth.pem \
  NOMAD_CLIENT_CERT=/opt/nomad/certs/cli.crt NOMAD_CLIENT_KEY=/opt/nomad/certs/cli.key
if ! systemctl is-active --quiet nomad.service; then
  exit 0
fi
nomad node drain -self -enable -deadline "${GT_DEADLINE:-10m}" -yes >/dev/null
systemctl disable --now nomad.service
gt_changed "$GT_NODE drained and left Nomad"
