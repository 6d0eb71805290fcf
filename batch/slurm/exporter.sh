#!/bin/bash
# prometheus-slurm-exporter from its pinned release tarball, checked against the configured sha256 before it
# is unpacked into GT_EXPORTER_PREFIX (a marker written last makes it a one-time install), then its unit.
# Params: GT_EXPORTER_URL, GT_EXPORTER_SHA256, GT_EXPORTER_PREFIX, plus the unit header.
if ! id -u slurm-exporter >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/slurm-exporter --shell /usr/sbin/nologin slurm-exporter
  gt_changed "user slurm-exporter"
fi
gt_ensure_dir /var/lib/slurm-exporter 0755 slurm-exporter slurm-exporter
marker="$GT_EXPORTER_PREFIX/.goldentooth-installed"
if [ "$(cat "$marker" 2>/dev/null || true)" != "$GT_EXPORTER_SHA256" ]; then
  archive=""
  gt_mktemp archive
  curl -fsSL --retry 3 -o "$archive" "$GT_EXPORTER_URL"
  if ! printf '%s  %s\n' "$GT_EXPORTER_SHA256" "$archive" | sha256sum --check --quiet; then
    echo "error: $(hostname): $GT_EXPORTER_URL does not have sha256 $GT_EXPORTER_SHA256" \
      "(goldentooth:batch.slurm.exporter.sha256)" >&2
    exit 1
  fi
  rm -rf -- "$GT_EXPORTER_PREFIX"
  install -d -m 0755 "$GT_EXPORTER_PREFIX"
  tar -xzf "$archive" -C "$GT_EXPORTER_PREFIX"
  printf '%s\n' "$GT_EXPORTER_SHA256" >"$marker"
  gt_changed "prometheus-slurm-exporter in $GT_EXPORTER_PREFIX"
fi
gt_units_apply
