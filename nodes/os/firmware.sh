#!/bin/bash
# The node's firmware settings in config.txt, as one managed block at the end of the file under [all], so no
# model filter above it ([cm4], [pi5], ...) can swallow it. The firmware reads the file in order and the last
# value wins, so the block decides; active lines elsewhere that set a key the block owns are commented out, so
# an old setting (e.g. the Ansible-era arm_freq=2000 on a Pi 5, an underclock) cannot linger. Every other line
# stays as it is. A change keeps the previous file beside it and asks for a reboot.
file=$GT_CONFIG_TXT
if [ ! -f "$file" ]; then
  echo "$file is missing: is this a Raspberry Pi OS boot partition?" >&2
  exit 1
fi
new=""
gt_mktemp new
awk -v begin="$GT_BEGIN" -v end="$GT_END" -v owned="$GT_OWNED_KEYS" '
  BEGIN { n = split(owned, keys, " ") }
  $0 == begin { inblock = 1; next }
  inblock && $0 == end { inblock = 0; next }
  inblock { next }
  {
    line = $0
    sub(/^[ \t]+/, "", line)
    for (i = 1; i <= n; i++) {
      if (line == keys[i] || index(line, keys[i] "=") == 1 || index(line, keys[i] ",") == 1) {
        print "#goldentooth-managed# " $0
        next
      }
    }
    print
  }
  END { if (inblock) { print "config.txt: the goldentooth block has no end marker" > "/dev/stderr"; exit 2 } }
' "$file" | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}' >"$new"
printf '\n%s' "$GT_BLOCK" >>"$new"
if cmp -s "$new" "$file"; then
  exit 0
fi
gt_swap_boot_file "$file" "$new"
gt_require_reboot "firmware settings ($file)"
