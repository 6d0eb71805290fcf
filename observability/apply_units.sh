#!/bin/bash
# Install, enable and start (or restart, when their files changed) the units in the header, after the
# daemon's configuration is in place.
gt_units_apply
