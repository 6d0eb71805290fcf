#!/bin/bash
# Prometheus itself: the pinned release (GT_INSTALL=release: the tarball at GT_URL, checked against GT_SHA256
# before it is unpacked into /opt/prometheus-GT_VERSION, binaries linked into /usr/local/bin) or the
# distribution's package. The TSDB in GT_DATA is adopted as it is.
if ! getent passwd prometheus >/dev/null; then
  useradd --system --home-dir "$GT_DATA" --no-create-home --shell /usr/sbin/nologin prometheus
  gt_changed "created user prometheus"
fi
if [ "$GT_INSTALL" = release ]; then
  dest="/opt/prometheus-$GT_VERSION"
  if [ ! -x "$dest/prometheus" ]; then
    tarball=""
    gt_mktemp tarball
    curl -fsSL --retry 3 --max-time 600 -o "$tarball" "$GT_URL"
    if ! printf '%s  %s\n' "$GT_SHA256" "$tarball" | sha256sum --check --status; then
      echo "$GT_URL does not match the sha256 pinned in observability.prometheus.release.sha256" >&2
      exit 1
    fi
    rm -rf "$dest.partial"
    install -d -m 0755 "$dest.partial"
    tar -xzf "$tarball" -C "$dest.partial" --strip-components=1 --no-same-owner
    mv "$dest.partial" "$dest"
    gt_changed "unpacked Prometheus $GT_VERSION into $dest"
  fi
  for binary in prometheus promtool; do
    if [ "$(readlink "/usr/local/bin/$binary" 2>/dev/null || true)" != "$dest/$binary" ]; then
      ln -sfn "$dest/$binary" "/usr/local/bin/$binary"
      gt_changed "/usr/local/bin/$binary -> $dest/$binary"
    fi
  done
else
  # A TSDB written by Prometheus 3 cannot be opened by the distribution's Prometheus 2: stop before a
  # downgrade instead of letting the new unit fail on (or rewrite) the adopted data.
  if [ -x /usr/local/bin/prometheus ] && /usr/local/bin/prometheus --version 2>&1 | grep -q '^prometheus, version 3\.'; then
    echo "$(hostname): /usr/local/bin/prometheus is Prometheus 3 and $GT_DATA holds its TSDB; the distribution's" \
      "Prometheus 2 cannot read it. Pin the release (observability.prometheus.install: release and its sha256)." >&2
    exit 1
  fi
  gt_apt_install prometheus
fi
while read -r dir mode owner group; do
  if [ -n "$dir" ]; then
    gt_ensure_dir "$dir" "$mode" "$owner" "$group"
  fi
done <<<"$GT_DIRS"
