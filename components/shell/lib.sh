# Helpers prepended to every remote step (after its generated parameter header).
# Convention: a step prints "changed: <what>" for every change it makes and nothing of the kind otherwise,
# so a second run of an unchanged step prints no "changed:" line (the lab asserts this).

gt_changed() { printf 'changed: %s\n' "$*"; }

# gt_install_file SRC DEST MODE OWNER GROUP: install SRC as DEST unless DEST already has that content,
# mode and ownership. Returns 0 when it changed DEST, 1 when DEST was already right.
gt_install_file() {
  local src=$1 dest=$2 mode=$3 owner=$4 group=$5
  if [ -f "$dest" ] && cmp -s "$src" "$dest" \
    && [ "$(stat -c '%a %U %G' "$dest")" = "$(printf '%o' "$((8#$mode))") $owner $group" ]; then
    return 1
  fi
  install -D -m "$mode" -o "$owner" -g "$group" "$src" "$dest"
  gt_changed "$dest"
  return 0
}

# gt_ensure_dir DIR MODE OWNER GROUP
gt_ensure_dir() {
  local dir=$1 mode=$2 owner=$3 group=$4
  if [ -d "$dir" ] && [ "$(stat -c '%a %U %G' "$dir")" = "$(printf '%o' "$((8#$mode))") $owner $group" ]; then
    return 0
  fi
  install -d -m "$mode" -o "$owner" -g "$group" "$dir"
  gt_changed "$dir"
}

# gt_mktemp VAR: create a temporary file that is removed when the step exits; store its path in VAR.
# (It assigns through printf -v because $(...) would run in a subshell and lose the cleanup list.)
gt_mktemp() {
  local f
  f=$(mktemp)
  GT_TEMP_FILES+=("$f")
  printf -v "$1" '%s' "$f"
}
GT_TEMP_FILES=()
gt_cleanup() { if [ "${#GT_TEMP_FILES[@]}" -gt 0 ]; then rm -f -- "${GT_TEMP_FILES[@]}"; fi; }
trap gt_cleanup EXIT
