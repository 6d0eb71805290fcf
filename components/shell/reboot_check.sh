#!/bin/bash
# Says whether this node will reboot: the steps that prepare a reboot elsewhere (the quorum gate, the drain) and
# put it back in service (the uncordon) take this line on stdin, so they act only for a node that really reboots.
# Changes nothing; the reboot step itself reads the marker again.
if [ -s "$GT_REBOOT_MARKER" ]; then
  echo "reboot required: $(paste -sd ';' "$GT_REBOOT_MARKER")"
else
  echo "no reboot required"
fi
