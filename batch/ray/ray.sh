#!/bin/bash
# Ray at the pinned version in its own virtual environment, installed once: a second run finds
# "$GT_RAY_PREFIX/bin/ray" reporting that version and installs nothing (the Ansible era ran pip on every play).
# A new version is a new prefix (and a changed unit), so the old one keeps running until the switch.
# Params: GT_RAY_VERSION, GT_RAY_PREFIX, GT_RAY_SPEC (pip requirement), GT_RAY_HOME, plus the unit header.
if ! id -u ray >/dev/null 2>&1; then
  useradd --system --home-dir "$GT_RAY_HOME" --shell /usr/sbin/nologin --user-group ray
  gt_changed "user ray"
fi
gt_ensure_dir "$GT_RAY_HOME" 0750 ray ray
# The marker is written last, so an interrupted install (no marker) is started over, never half-used.
marker="$GT_RAY_PREFIX/.goldentooth-installed"
if [ "$(cat "$marker" 2>/dev/null || true)" != "$GT_RAY_SPEC" ]; then
  gt_apt_install python3-venv
  rm -rf -- "$GT_RAY_PREFIX"
  python3 -m venv "$GT_RAY_PREFIX"
  "$GT_RAY_PREFIX/bin/pip" install --quiet --disable-pip-version-check "$GT_RAY_SPEC"
  if [ "$("$GT_RAY_PREFIX/bin/ray" --version)" != "ray, version $GT_RAY_VERSION" ]; then
    echo "error: $(hostname): $GT_RAY_PREFIX/bin/ray is not version $GT_RAY_VERSION after installing $GT_RAY_SPEC" >&2
    exit 1
  fi
  printf '%s\n' "$GT_RAY_SPEC" >"$marker"
  gt_changed "ray $GT_RAY_VERSION in $GT_RAY_PREFIX"
fi
gt_units_apply
