#!/bin/bash
# goldentooth:stateful Ceph monitor store
# This node's monitor (stdin: the mon. and client.admin keyring). An existing store is adopted as it is; a new one
# is made with ceph-mon --mkfs from a monmap of every configured monitor, so the first start forms the quorum.
keyring=""
gt_mktemp keyring
cat >"$keyring"
admin=""
gt_mktemp admin
awk '/^\[/ { keep = ($0 == "[client.admin]") } keep' "$keyring" >"$admin"
if gt_install_file "$admin" /etc/ceph/ceph.client.admin.keyring 0600 root root; then :; fi
data=/var/lib/ceph/mon/ceph-$GT_ID
if [ ! -e "$data/keyring" ]; then
  if [ -d "$data" ] && [ -n "$(ls -A "$data")" ]; then
    gt_fail "$data holds a monitor store without its keyring: not touching it"
  fi
  monmap=""
  gt_mktemp monmap
  args=(--create --fsid "$GT_FSID")
  while read -r name addrs; do
    if [ -n "$name" ]; then args+=(--addv "$name" "$addrs"); fi
  done <<<"$GT_MONS"
  monmaptool "${args[@]}" "$monmap" >/dev/null
  install -d -m 0750 -o ceph -g ceph "$data"
  chown ceph:ceph "$keyring" "$monmap"
  setpriv --reuid ceph --regid ceph --init-groups ceph-mon --cluster ceph --mkfs -i "$GT_ID" --monmap "$monmap" --keyring "$keyring"
  gt_changed "created the monitor store of mon.$GT_ID"
fi
gt_enable_now "ceph-mon@$GT_ID.service"
