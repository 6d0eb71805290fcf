#!/bin/bash
# node_exporter from the distribution, the textfile probes it reads (installed from the static scripts in
# probes/, passed here in the header) and their timer. The Ansible era ran its own node_exporter.service on
# :9100; it is retired so the packaged exporter can bind the port.
if [ -e /etc/systemd/system/node_exporter.service ]; then
  systemctl disable --now node_exporter.service >/dev/null 2>&1 || true
  rm -f /etc/systemd/system/node_exporter.service
  systemctl daemon-reload
  gt_changed "retired node_exporter.service (the Ansible era's exporter on :9100)"
fi
gt_apt_install prometheus-node-exporter
gt_ensure_dir "$GT_TEXTFILE_DIR" 0755 root root
gt_ensure_dir "$GT_PROBE_DIR" 0755 root root
gt_ensure_dir "${GT_CERT_LIST%/*}" 0755 root root
gt_write "$GT_PROBE_DIR/node-probe.sh" 0755 "$GT_NODE_PROBE" || true
gt_write "$GT_PROBE_DIR/cert-expiry.sh" 0755 "$GT_CERT_PROBE" || true
gt_write "$GT_CERT_LIST" 0644 "$GT_CERT_LIST_TEXT" || true
gt_units_apply
