#!/bin/bash
# No swap: kubelet refuses to start with swap on (by default), and an SD card is no place for it anyway.
# Covers Raspberry Pi OS's dphys-swapfile, zram (zram-tools, systemd's zram-generator) and fstab entries,
# then turns off whatever is still active.
unit_exists() { [ -f "/etc/systemd/system/$1" ] || [ -f "/usr/lib/systemd/system/$1" ] || [ -f "/lib/systemd/system/$1" ]; }
for unit in dphys-swapfile.service zramswap.service; do
  if unit_exists "$unit" && [ "$(systemctl is-enabled "$unit" 2>/dev/null || true)" != masked ]; then
    systemctl disable --now --quiet "$unit"
    systemctl mask --quiet "$unit"
    gt_changed "masked $unit"
  fi
done
if [ -f /etc/dphys-swapfile ]; then
  swapfile=$(sed -n 's/^[[:space:]]*CONF_SWAPFILE=//p' /etc/dphys-swapfile | tail -n1)
  swapfile=${swapfile:-/var/swap}
  if [ -f "$swapfile" ]; then
    swapoff "$swapfile" 2>/dev/null || true
    rm -f -- "$swapfile"
    gt_changed "removed $swapfile"
  fi
fi
# zram-generator reads /etc/systemd/zram-generator.conf before the packaged default: an empty one means no devices.
if [ -f /usr/lib/systemd/zram-generator.conf ] || [ -f /usr/lib/systemd/system-generators/zram-generator ]; then
  if gt_write /etc/systemd/zram-generator.conf 0644 "# goldentooth: no zram swap (kubelet)"$'\n'; then :; fi
fi
if awk '$1 !~ /^#/ && $3 == "swap" { found = 1 } END { exit !found }' /etc/fstab; then
  fstab=""
  gt_mktemp fstab
  awk '$1 !~ /^#/ && $3 == "swap" { print "#goldentooth-no-swap# " $0; next } { print }' /etc/fstab >"$fstab"
  if gt_install_file "$fstab" /etc/fstab 0644 root root; then :; fi
fi
if [ -n "$(swapon --show --noheadings)" ]; then
  swapoff -a
  gt_changed "turned off active swap"
fi
