#!/bin/bash
# The HTTPS router's file, written before the drop-in's restart moves HAProxy to goldentooth.d/: that restart then
# loads the services with the core, so :80 and :443 never stop routing. The file needs the TLS bundle HAProxy
# serves. The live cluster has one at that path (the Ansible era's, renewed by cert-renewer@haproxy): it is used
# as it is. Where there is none yet (a fresh node), the file is left as it is, and the step after the PKI layer's
# bundle writes it.
# Params: GT_PATH, GT_BUNDLE, GT_CORE, GT_ENV (the stats password HAProxy's config names).
candidate=""
gt_mktemp candidate
cat >"$candidate"
if [ ! -s "$GT_BUNDLE" ]; then
  echo "no TLS bundle at $GT_BUNDLE yet: $GT_PATH left as it is until the PKI layer issues the bundle"
  exit 0
fi
# shellcheck source=/dev/null
if ! (set -a; . "$GT_ENV"; set +a; test -n "${HAPROXY_STATS_PASSWORD:-}" && haproxy -c -q -f "$GT_CORE" -f "$candidate"); then
  echo "refusing to write $GT_PATH: haproxy -c fails for it with the core config and the bundle $GT_BUNDLE" >&2
  exit 1
fi
if gt_install_file "$candidate" "$GT_PATH" 0644 root root && systemctl is-active --quiet haproxy; then
  systemctl reload haproxy
  gt_changed "reloaded haproxy"
fi
