#!/bin/bash
# Ollama from a pinned release tarball, verified against the configured sha256 before anything is unpacked,
# into /opt/ollama/<version> (a marker written last makes it a one-time install). No install script, no
# moving 'latest'. Then its unit, and a wait until the API answers.
# Params: GT_OLLAMA_VERSION, GT_OLLAMA_URL, GT_OLLAMA_SHA256, GT_OLLAMA_PREFIX, GT_OLLAMA_MODELS,
# GT_OLLAMA_CONFIG, GT_OLLAMA_ADDRESS, GT_OLLAMA_PORT, plus the unit header.
if ! getent group ollama >/dev/null; then
  groupadd --system ollama
  gt_changed "group ollama"
fi
if ! id -u ollama >/dev/null 2>&1; then
  useradd --system --gid ollama --home-dir "$GT_OLLAMA_MODELS" --no-create-home --shell /bin/false ollama
  gt_changed "user ollama"
fi
read -r -a member_of <<<"$(id -nG ollama)"
for group in video render; do
  if getent group "$group" >/dev/null && ! gt_in_list "$group" "${member_of[@]}"; then
    usermod -a -G "$group" ollama
    gt_changed "ollama in group $group"
  fi
done
gt_ensure_dir "$GT_OLLAMA_MODELS" 0755 ollama ollama
gt_ensure_dir "$GT_OLLAMA_CONFIG" 0755 ollama ollama
marker="$GT_OLLAMA_PREFIX/.goldentooth-installed"
if [ "$(cat "$marker" 2>/dev/null || true)" != "$GT_OLLAMA_SHA256" ]; then
  archive=""
  gt_mktemp archive
  curl -fsSL --retry 3 -o "$archive" "$GT_OLLAMA_URL"
  if ! printf '%s  %s\n' "$GT_OLLAMA_SHA256" "$archive" | sha256sum --check --quiet; then
    echo "error: $(hostname): $GT_OLLAMA_URL does not have sha256 $GT_OLLAMA_SHA256 (goldentooth:batch.ollama.sha256)" >&2
    exit 1
  fi
  rm -rf -- "$GT_OLLAMA_PREFIX"
  install -d -m 0755 "$GT_OLLAMA_PREFIX"
  tar -xzf "$archive" -C "$GT_OLLAMA_PREFIX"
  printf '%s\n' "$GT_OLLAMA_SHA256" >"$marker"
  gt_changed "ollama $GT_OLLAMA_VERSION in $GT_OLLAMA_PREFIX"
fi
gt_units_apply
answered=no
for _ in $(seq 1 30); do
  if curl -fsS -o /dev/null "http://$GT_OLLAMA_ADDRESS:$GT_OLLAMA_PORT/api/version"; then
    answered=yes
    break
  fi
  sleep 2
done
if [ "$answered" != yes ]; then
  echo "error: $(hostname): ollama does not answer on $GT_OLLAMA_ADDRESS:$GT_OLLAMA_PORT after starting" >&2
  exit 1
fi
