#!/bin/bash
# The cluster's munge key, identical on every node because every node receives the same generated key
# (base64 on stdin). The key goes in place before the munge package is installed, so Debian's postinst
# (which creates a random key only when none exists) keeps it. A node that already holds a different key
# (the Ansible era copied bettley's) is refused, unless GT_REPLACE_KEY=yes says to replace it everywhere.
# Params: GT_MUNGE_VERSION (apt pin), GT_REPLACE_KEY (yes|no).
key_file=/etc/munge/munge.key
candidate=""
gt_mktemp candidate
base64 -d >"$candidate"
size=$(stat -c %s "$candidate")
if [ "$size" -lt 32 ]; then
  echo "error: $(hostname): the munge key on stdin is $size bytes; munged needs at least 32" >&2
  exit 1
fi
if [ -e "$key_file" ] && ! cmp -s "$candidate" "$key_file"; then
  if [ "$GT_REPLACE_KEY" != yes ]; then
    echo "error: $(hostname): $key_file holds another munge key than the generated one; every node must hold" \
      "the same key, and replacing it interrupts jobs: set goldentooth:batch.slurm.replaceMungeKey to replace it" >&2
    exit 1
  fi
fi
# Before the package exists there is no munge user yet: root holds the key until the package made it.
owner=root
if id -u munge >/dev/null 2>&1; then
  owner=munge
fi
gt_ensure_dir /etc/munge 0700 "$owner" "$owner"
key_changed=no
if gt_install_file "$candidate" "$key_file" 0400 "$owner" "$owner"; then
  key_changed=yes
fi
gt_apt_install "munge=$GT_MUNGE_VERSION-*"
# The package created the munge user; the key and its directory belong to it.
if [ "$(stat -c %U:%G:%a "$key_file")" != munge:munge:400 ] || [ "$(stat -c %U:%G /etc/munge)" != munge:munge ]; then
  chown munge:munge /etc/munge "$key_file"
  chmod 0400 "$key_file"
  gt_changed "$key_file owned by munge"
fi
gt_enable_now munge
if [ "$key_changed" = yes ]; then
  systemctl restart munge
  gt_changed "restarted munge for the new key"
fi
