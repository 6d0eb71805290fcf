#!/bin/bash
# The seaweedfs user and group (the existing cluster's fixed ids), weed at GT_VERSION and SeaweedFS's directories.
# An installed weed of that version is kept; another is replaced only from the release tarball whose sha256 the
# config pins (storage.seaweedfs.sha256), never from an unverified download.
if ! getent group seaweedfs >/dev/null; then
  groupadd --system --gid "$GT_UID" seaweedfs
  gt_changed "group seaweedfs"
fi
if ! getent passwd seaweedfs >/dev/null; then
  useradd --system --uid "$GT_UID" --gid seaweedfs --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin seaweedfs
  gt_changed "user seaweedfs"
fi
have=""
if [ -x "$GT_WEED" ]; then have=$("$GT_WEED" version 2>/dev/null | awk '$1 == "version" { print $3 }' || true); fi
if [ "$have" != "$GT_VERSION" ]; then
  if [ -z "$GT_SHA256" ]; then
    gt_fail "weed ${have:-is missing}${have:+ is installed}; config wants $GT_VERSION and pins no sha256 for $GT_ARCH (storage.seaweedfs.sha256)"
  fi
  tarball=""
  gt_mktemp tarball
  curl -fsSL --retry 3 --max-time 600 -o "$tarball" "$GT_URL"
  if [ "$(sha256sum "$tarball" | awk '{ print $1 }')" != "$GT_SHA256" ]; then
    gt_fail "$GT_URL does not have the pinned sha256 $GT_SHA256"
  fi
  dir=$(mktemp -d)
  tar -xzf "$tarball" -C "$dir" weed
  install -m 0755 -o root -g root "$dir/weed" "$GT_WEED"
  rm -rf "$dir"
  gt_changed "weed $GT_VERSION"
fi
gt_ensure_dir /etc/seaweedfs 0755 root root
gt_ensure_dir /var/log/seaweedfs 0755 seaweedfs seaweedfs
gt_ensure_dir "$GT_STATE_ROOT" 0755 seaweedfs seaweedfs
