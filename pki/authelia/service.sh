#!/bin/bash
# authelia.service (GT_UNIT_* from the generated header): installed, enabled, started, restarted when it changed.
gt_units_apply
