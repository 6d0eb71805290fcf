#!/bin/bash
# This node's manager: its key from the monitors (made once), then the daemon.
data=/var/lib/ceph/mgr/ceph-$GT_ID
if [ ! -s "$data/keyring" ]; then
  install -d -m 0750 -o ceph -g ceph "$data"
  ceph auth get-or-create "mgr.$GT_ID" mon 'allow profile mgr' osd 'allow *' mds 'allow *' -o "$data/keyring"
  chown ceph:ceph "$data/keyring"
  gt_changed "key of mgr.$GT_ID"
fi
gt_enable_now "ceph-mgr@$GT_ID.service"
