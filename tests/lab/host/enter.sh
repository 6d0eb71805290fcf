#!/bin/bash
# The first process of a lab host: PID 1 of its own PID, mount and UTS namespaces, inside its network
# namespace. It builds the host's view of the filesystem and then becomes the host's init inside it:
#   ROOT      the host's own tree (etc, boot/firmware, var, root, ...: a fixture copy, thrown away afterwards)
#   /usr      an overlay: the lab's stand-ins and fixture files over this machine's /usr (never written)
#   /proc     this PID namespace's; /proc/sys read-only, with boot_id and /proc/swaps replaced by files the
#             lab owns (a simulated reboot changes the boot id; swap comes and goes with the fixture's)
#   /sys      this network namespace's, read-only; /dev: a few character devices; /run and /tmp: tmpfs
# Capabilities to reboot, load modules or set the clock are dropped, so nothing here can touch this machine.
set -euo pipefail
root=$1 state=$2 lower=$3 name=$4
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=$lower:/usr,upperdir=$state/usr-upper,workdir=$state/usr-work" "$root/usr"
mount -t proc proc "$root/proc"
mount --bind "$root/proc/sys" "$root/proc/sys"
mount -o remount,bind,ro "$root/proc/sys"
mount --bind "$state/boot_id" "$root/proc/sys/kernel/random/boot_id"
mount --bind "$state/swaps" "$root/proc/swaps"
mount --bind /sys "$root/sys"
mount -o remount,bind,ro "$root/sys"
mount -t tmpfs -o mode=0755,size=8m tmpfs "$root/dev"
for dev in null zero full random urandom tty; do
  touch "$root/dev/$dev"
  mount --bind "/dev/$dev" "$root/dev/$dev"
done
ln -s /proc/self/fd "$root/dev/fd"
# The disks the host's mounts name (state/block-devices: "<loop device> <filesystem uuid>" per line).
while read -r device fs_uuid; do
  touch "$root$device"
  mount --bind "$device" "$root$device"
  mkdir -p "$root/dev/disk/by-uuid"
  ln -s "../../${device#/dev/}" "$root/dev/disk/by-uuid/$fs_uuid"
done <"$state/block-devices"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
hostname "$name"
exec setpriv --bounding-set=-sys_boot,-sys_module,-sys_time,-sys_rawio -- chroot "$root" /usr/local/lib/lab/init
