#!/bin/bash
# Install the systemd units described in the generated header, then enable/start them as asked.
gt_units_apply
