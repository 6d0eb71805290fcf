#!/bin/bash
# Grafana, Loki or Vector from its vendor's apt repository (GT_REPO_NAME, its deb822 text and key URL in the
# header), its directories (GT_DIRS: lines "PATH MODE OWNER GROUP") and, for Vector, read access to the journal.
gt_apt_source "$GT_REPO_NAME" "$GT_REPO_KEY_URL" "$GT_REPO_SOURCES"
gt_apt_install "$GT_PACKAGE"
while read -r dir mode owner group; do
  if [ -n "$dir" ]; then
    gt_ensure_dir "$dir" "$mode" "$owner" "$group"
  fi
done <<<"${GT_DIRS:-}"
if [ -n "${GT_JOURNAL_READER:-}" ] && ! id -nG "$GT_JOURNAL_READER" | tr ' ' '\n' | grep -qx systemd-journal; then
  usermod -aG systemd-journal "$GT_JOURNAL_READER"
  gt_changed "$GT_JOURNAL_READER may read the journal"
fi
