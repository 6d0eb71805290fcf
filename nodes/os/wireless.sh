#!/bin/bash
# Wireless stays down where the wired interface is primary: with both up, Calico and MetalLB picked wlan0 on
# the dual-homed Pis and services became unreachable from some nodes. The unit keeps it down at every boot;
# this step also takes any wireless interface that is up down now.
gt_units_apply
for dev in /sys/class/net/*; do
  name=${dev##*/}
  case $name in wl*) ;; *) continue ;; esac
  flags=$(ip -o link show dev "$name")
  flags=${flags#*<}
  IFS=, read -r -a flag_list <<<"${flags%%>*}"
  if gt_in_list UP "${flag_list[@]}"; then
    ip link set dev "$name" down
    gt_changed "took $name down"
  fi
done
