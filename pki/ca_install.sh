#!/bin/bash
# The CA node: pinned step-ca and step-cli from Smallstep's repository, the `step` system user and its directory.
# Parameters: GT_SMALLSTEP_KEY_URL, GT_SMALLSTEP_SOURCES, GT_PACKAGES (pinned specs), GT_CA_DIR, GT_CA_USER.
gt_apt_source smallstep "$GT_SMALLSTEP_KEY_URL" "$GT_SMALLSTEP_SOURCES"
read -r -a packages <<<"$GT_PACKAGES"
gt_apt_install "${packages[@]}"
gt_apt_hold step-ca step-cli
if ! id -u "$GT_CA_USER" >/dev/null 2>&1; then
  useradd --system --home-dir "$GT_CA_DIR" --no-create-home --shell /usr/sbin/nologin --user-group "$GT_CA_USER"
  gt_changed "system user $GT_CA_USER"
fi
gt_ensure_dir "$GT_CA_DIR" 0700 "$GT_CA_USER" "$GT_CA_USER"
