#!/bin/bash
# The MetalLB pool's on-link route (GT_ROUTE via GT_DEV): the unit that keeps it across reboots, and the route
# itself now when it is missing (a unit already active does not run again on its own).
gt_units_apply
if [ -z "$(ip route show exact "$GT_ROUTE" dev "$GT_DEV" scope link)" ]; then
  ip route replace "$GT_ROUTE" dev "$GT_DEV" scope link
  gt_changed "route $GT_ROUTE dev $GT_DEV"
fi
