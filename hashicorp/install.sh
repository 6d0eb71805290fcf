#!/bin/bash
# HashiCorp's apt repository (deb822, its own keyring) and the pinned packages of one service, held so that
# unattended-upgrades and `apt upgrade` never move them; version moves are config edits that re-run this step.
# Parameters: GT_KEY_URL, GT_SOURCES (the deb822 text), GT_PACKAGES (space-separated NAME=VERSION globs),
# GT_HOLD (space-separated names).
gt_apt_source hashicorp "$GT_KEY_URL" "$GT_SOURCES"
read -r -a packages <<<"$GT_PACKAGES"
gt_apt_install "${packages[@]}"
read -r -a hold <<<"$GT_HOLD"
if [ "${#hold[@]}" -gt 0 ]; then gt_apt_hold "${hold[@]}"; fi
