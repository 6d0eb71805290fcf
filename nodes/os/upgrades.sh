#!/bin/bash
# Unattended security upgrades, rebooting (when an upgrade needs it) at this node's own hour, so no two
# members of a quorum go down together. Pinned packages are held and stay out of it.
gt_apt_install unattended-upgrades
if gt_write "$GT_PERIODIC_FILE" 0644 "$GT_PERIODIC_CONF"; then :; fi
if gt_write "$GT_UPGRADES_FILE" 0644 "$GT_UPGRADES_CONF"; then :; fi
gt_enable_now unattended-upgrades
