#!/bin/bash
# On the first control plane: put $GT_NODE back in service after its upgrade to v$GT_VERSION.
admin=(--kubeconfig /etc/kubernetes/admin.conf)
if [ "$(kubectl "${admin[@]}" get node "$GT_NODE" -o jsonpath='{.spec.unschedulable}')" = "true" ]; then
  kubectl "${admin[@]}" uncordon "$GT_NODE"
  gt_changed "uncordoned $GT_NODE (v$GT_VERSION)"
fi
