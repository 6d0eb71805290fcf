#!/bin/bash
# Run on the first control-plane node before another control plane joins: re-upload the control-plane
# certificates, encrypted with the fixed certificate key from the init config, because kubeadm deletes the
# kubeadm-certs Secret two hours after each upload.
kubeadm init phase upload-certs --upload-certs --config "$GT_CONFIG" >/dev/null
gt_changed "control-plane certificates uploaded for $GT_FOR (valid two hours)"
