#!/bin/bash
# The operator's account: created when missing (an existing one is adopted as it is), passwordless sudo through a
# drop-in that visudo accepts, and the configured keys as one marked block of its authorized_keys.
if ! id -u "$GT_USER" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash "$GT_USER"
  gt_changed "user $GT_USER"
fi
sudoers=""
gt_mktemp sudoers
printf '%s' "$GT_SUDOERS" >"$sudoers"
if ! visudo -cq -f "$sudoers" >/dev/null; then
  echo "refusing to install $GT_SUDOERS_FILE: visudo rejects it" >&2
  exit 1
fi
gt_install_file "$sudoers" "$GT_SUDOERS_FILE" 0440 root root || true
if [ -z "$GT_KEYS_BLOCK" ]; then
  exit 0  # no keys in config: the account's authorized_keys stays as it is
fi
home=$(getent passwd "$GT_USER" | cut -d: -f6)
group=$(id -gn "$GT_USER")
gt_ensure_dir "$home/.ssh" 0700 "$GT_USER" "$group"
keys="$home/.ssh/authorized_keys" wanted=""
gt_mktemp wanted
if [ -f "$keys" ]; then
  # Everything outside the marked block stays, in its order; the block goes where it was (or at the end).
  awk -v begin="$GT_BEGIN" -v end="$GT_END" -v block="$GT_KEYS_BLOCK" '
    $0 == begin { skip = 1; if (!done) { printf "%s", block; done = 1 }; next }
    skip && $0 == end { skip = 0; next }
    !skip { print }
    END { if (!done) printf "%s", block }' "$keys" >"$wanted"
else
  printf '%s' "$GT_KEYS_BLOCK" >"$wanted"
fi
gt_install_file "$wanted" "$keys" 0600 "$GT_USER" "$group" || true
