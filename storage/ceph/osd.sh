#!/bin/bash
# goldentooth:stateful Ceph OSD
# One OSD per modelled ceph disk (GT_DEVICES): a disk ceph-volume already knows is adopted; a new OSD is made only
# on a blank disk, or one storage.wipe names.
mapfile -t devices <<<"$GT_DEVICES"
install -d -m 0750 -o ceph -g ceph /var/lib/ceph/bootstrap-osd
if [ ! -s /var/lib/ceph/bootstrap-osd/ceph.keyring ]; then
  ceph auth get client.bootstrap-osd -o /var/lib/ceph/bootstrap-osd/ceph.keyring
  gt_changed "bootstrap-osd keyring"
fi
for dev in "${devices[@]}"; do
  gt_disk_require "$dev"
  known=$(ceph-volume lvm list --format json "$(readlink -f "$dev")" 2>/dev/null | tr -d '[:space:]' || true)
  if [ -n "$known" ] && [ "$known" != "{}" ]; then continue; fi
  gt_disk_blank_or_wipe "$dev" "a Ceph OSD"
  ceph-volume lvm create --data "$(readlink -f "$dev")"
  gt_changed "created an OSD on $dev"
done
