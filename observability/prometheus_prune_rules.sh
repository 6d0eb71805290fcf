#!/bin/bash
# Rule files this program does not render leave the rules directory: the Ansible era's ansible_managed.yml
# (its 16 rules, with the bugs these files fix, would otherwise keep firing beside them) and the file of a
# group no layer contributes any more. GT_RULE_FILES: the file names to keep, one a line.
mapfile -t keep <<<"$GT_RULE_FILES"
removed=0
for file in "$GT_RULES_DIR"/*; do
  [ -e "$file" ] || continue
  if ! gt_in_list "${file##*/}" "${keep[@]}"; then
    rm -f -- "$file"
    gt_changed "removed $file (no layer contributes it)"
    removed=1
  fi
done
if [ "$removed" = 1 ] && systemctl is-active --quiet "$GT_UNIT"; then
  systemctl reload "$GT_UNIT"
fi
