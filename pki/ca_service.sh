#!/bin/bash
# step-ca as a systemd service (GT_UNIT_* from the generated header), then wait until it answers on its URL.
# Parameters: GT_CA_URL, GT_CA_ROOT, and the unit parameters.
gt_units_apply
gt_wait_for_ca "$GT_CA_URL" "$GT_CA_ROOT"
