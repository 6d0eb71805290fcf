#!/bin/bash
# The cluster's shared directories on this node: an automount per share (mounted on first access, so a server
# that is down delays nothing at boot). On a share's own server the unit is a bind mount of the exported
# directory instead of an NFS mount of itself.
gt_apt_install nfs-common
gt_units_apply
