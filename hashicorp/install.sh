#!/bin/bash
# The pinned packages of one HashiCorp service from the node's HashiCorp repository (repository.sh), held so
# that unattended-upgrades and `apt upgrade` never move them; version moves are config edits that re-run this.
# Parameters: GT_PACKAGES (space-separated NAME=VERSION globs), GT_HOLD (space-separated names).
read -r -a packages <<<"$GT_PACKAGES"
gt_apt_install "${packages[@]}"
read -r -a hold <<<"$GT_HOLD"
if [ "${#hold[@]}" -gt 0 ]; then gt_apt_hold "${hold[@]}"; fi
