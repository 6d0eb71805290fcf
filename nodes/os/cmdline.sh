#!/bin/bash
# Kernel command line flags (cgroup controllers kubelet needs) in cmdline.txt, which must stay ONE line: the
# firmware passes only the first line to the kernel. Other flags are kept in their order; a change keeps the
# previous file beside it and asks for a reboot.
file=$GT_CMDLINE_TXT
if [ ! -f "$file" ]; then
  echo "$file is missing: is this a Raspberry Pi OS boot partition?" >&2
  exit 1
fi
lines=$(grep -c '[^[:space:]]' "$file" || true)
if [ "$lines" -gt 1 ]; then
  echo "$file has $lines non-empty lines, but the firmware reads only the first: merge them by hand" >&2
  exit 1
fi
read -r -a tokens <"$file" || true
read -r -a remove <<<"$GT_REMOVE_FLAGS" || true
kept=()
for token in "${tokens[@]}"; do
  drop=0
  for unwanted in "${remove[@]}"; do
    if [ "$token" = "$unwanted" ]; then drop=1; fi
  done
  if [ "$drop" = 0 ]; then kept+=("$token"); fi
done
for flag in $GT_FLAGS; do
  present=0
  for token in "${kept[@]}"; do
    if [ "$token" = "$flag" ]; then present=1; fi
  done
  if [ "$present" = 0 ]; then kept+=("$flag"); fi
done
new=""
gt_mktemp new
printf '%s\n' "${kept[*]}" >"$new"
if cmp -s "$new" "$file"; then
  exit 0
fi
gt_swap_boot_file "$file" "$new"
gt_require_reboot "kernel command line ($file)"
