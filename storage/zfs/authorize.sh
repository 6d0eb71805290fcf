#!/bin/bash
# On a replica: let the primary's replication key in as root (stdin: the authorized_keys line, which carries
# GT_MARKER as its comment). The line restricts the key to the primary's address and to commands (no pty or
# forwarding); an older line with the same marker is replaced, every other line is kept.
line=$(cat)
keys=/root/.ssh/authorized_keys
gt_ensure_dir /root/.ssh 0700 root root
touch "$keys"
next=""
gt_mktemp next
grep -v -- " $GT_MARKER\$" "$keys" >"$next" || true
printf '%s\n' "$line" >>"$next"
if gt_install_file "$next" "$keys" 0600 root root; then :; fi
