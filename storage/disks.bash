# shellcheck shell=bash
# Helpers for steps that build on a node's data disks (prepended to those steps after lib.sh's text).
# Every disk a step may touch is one the config models; a disk with any signature is used only when the config
# names that exact disk for wiping (storage.wipe), and a mounted disk is never wiped.

gt_fail() { echo "${GT_NODE:-node}: $*" >&2; exit 1; }

# gt_disk_partitions DEV: the partitions of block device DEV, deepest last (nothing for a file-backed stand-in).
gt_disk_partitions() {
  if [ -b "$1" ]; then lsblk -nrpo NAME "$1" | tail -n +2; fi
}

# gt_disk_signatures DEV: the signature types on DEV and its partitions (filesystems, pool labels, partition
# tables), comma-separated; empty when the disk is blank.
gt_disk_signatures() {
  local part found=()
  for part in "$1" $(gt_disk_partitions "$1"); do
    while read -r type; do
      if [ -n "$type" ] && ! gt_in_list "$type" "${found[@]}"; then found+=("$type"); fi
    done < <(wipefs --no-act --noheadings --output TYPE "$part" 2>/dev/null)
  done
  local IFS=,
  printf '%s' "${found[*]}"
}

# gt_disk_label DEV TYPE: the label of the first TYPE signature (zfs_member, ext4, ...) on DEV or a partition.
gt_disk_label() {
  local part
  for part in "$1" $(gt_disk_partitions "$1"); do
    if [ "$(blkid -p -o value -s TYPE "$part" 2>/dev/null)" = "$2" ]; then
      blkid -p -o value -s LABEL "$part" 2>/dev/null || true
      return 0
    fi
  done
  return 1
}

# gt_disk_require DEV: DEV exists (a modelled disk that is absent is never guessed at).
gt_disk_require() {
  if [ ! -e "$1" ]; then
    gt_fail "modelled disk $1 is not present: check its id in nodes.$GT_NODE.disks (ls -l /dev/disk/by-id)"
  fi
}

# gt_disk_blank_or_wipe DEV WHAT: make sure DEV carries no signature before WHAT is created on it: wipe it when
# GT_WIPE (one device per line) names it and nothing on it is mounted, else stop.
gt_disk_blank_or_wipe() {
  local dev=$1 what=$2 sigs part
  sigs=$(gt_disk_signatures "$dev")
  if [ -z "$sigs" ]; then return 0; fi
  local -a allowed=()
  if [ -n "${GT_WIPE:-}" ]; then mapfile -t allowed <<<"$GT_WIPE"; fi
  if [ "${#allowed[@]}" -eq 0 ] || ! gt_in_list "$dev" "${allowed[@]}"; then
    gt_fail "$dev carries $sigs: refusing to create $what on it. If its data may go, name it in storage.wipe"
  fi
  if [ -b "$dev" ] && [ -n "$(lsblk -nro MOUNTPOINT "$dev" | tr -d '[:space:]')" ]; then
    gt_fail "$dev is named in storage.wipe but something on it is mounted: not wiping it"
  fi
  for part in $(gt_disk_partitions "$dev" | tac); do wipefs --all --quiet "$part"; done
  wipefs --all --quiet "$dev"
  gt_changed "wiped $dev ($sigs), as storage.wipe allows"
}
