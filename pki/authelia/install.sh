#!/bin/bash
# Authelia's pinned package from its apt repository, its system user and directories.
# Parameters: GT_AUTHELIA_KEY_URL, GT_AUTHELIA_SOURCES, GT_PACKAGES, GT_ETC, GT_STATE.
gt_apt_source authelia "$GT_AUTHELIA_KEY_URL" "$GT_AUTHELIA_SOURCES"
read -r -a packages <<<"$GT_PACKAGES"
gt_apt_install "${packages[@]}"
gt_apt_hold authelia
if ! id -u authelia >/dev/null 2>&1; then
  useradd --system --home-dir "$GT_STATE" --no-create-home --shell /usr/sbin/nologin --user-group authelia
  gt_changed "system user authelia"
fi
gt_ensure_dir "$GT_ETC" 0750 authelia authelia
gt_ensure_dir "$GT_STATE" 0750 authelia authelia
gt_ensure_dir "$GT_STATE/notifications" 0750 authelia authelia
