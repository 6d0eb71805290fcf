#!/bin/bash
# Enable and start the packaged service once its configuration and certificate are in place.
gt_enable_now "$GT_SERVICE"
