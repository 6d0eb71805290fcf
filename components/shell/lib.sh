# shellcheck shell=bash
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

# gt_write PATH MODE TEXT: make PATH (root:root) hold exactly TEXT. Returns 0 when it changed PATH, 1 otherwise.
gt_write() {
  local _gt_w
  gt_mktemp _gt_w
  printf '%s' "$3" >"$_gt_w"
  gt_install_file "$_gt_w" "$1" "$2" root root
}

# gt_in_list WORD ITEM...: whether WORD is one of the ITEMs (a pipe into `grep -q` could lose to SIGPIPE under
# pipefail and report a match as a miss).
gt_in_list() {
  local word=$1 item
  shift
  for item in "$@"; do
    if [ "$item" = "$word" ]; then return 0; fi
  done
  return 1
}

# gt_boot_id: the kernel's id of the current boot; it changes on every reboot.
gt_boot_id() { cat /proc/sys/kernel/random/boot_id; }

# gt_require_reboot REASON: ask the node's reboot step to reboot. The marker lives in /run, so the reboot clears it.
GT_REBOOT_MARKER=/run/goldentooth/reboot-required
gt_require_reboot() {
  install -d -m 0755 "${GT_REBOOT_MARKER%/*}"
  printf '%s\n' "$*" >>"$GT_REBOOT_MARKER"
  gt_changed "reboot required: $*"
}

# gt_swap_boot_file FILE NEW: put NEW in place of FILE on the FAT boot partition (no modes or owners there),
# keeping FILE.goldentooth-previous; the rename keeps a half-written file from ever being the one the firmware reads.
gt_swap_boot_file() {
  local file=$1 new=$2
  cp -- "$file" "$file.goldentooth-previous"
  cp -- "$new" "$file.goldentooth-new"
  mv -f -- "$file.goldentooth-new" "$file"
  sync -- "$file"
  gt_changed "$file"
}

# --- systemd ------------------------------------------------------------------------------------------
# gt_enable_now UNIT: enable UNIT and start it if it is not running. Prints a change only when it made one.
gt_enable_now() {
  if ! systemctl is-enabled --quiet "$1"; then
    systemctl enable --quiet "$1"
    gt_changed "enabled $1"
  fi
  if ! systemctl is-active --quiet "$1"; then
    systemctl start "$1"
    gt_changed "started $1"
  fi
}

# gt_units_apply: install the units the generated header describes (GT_UNIT_COUNT, then GT_UNIT_<i>_NAME,
# _TEXT, _ENABLE and _START for i = 0..COUNT-1) into /etc/systemd/system, reload systemd once if any changed,
# then enable and start what asks for it. A started unit whose file changed is restarted.
gt_units_apply() {
  local i name text changed_units=() any=0
  for ((i = 0; i < ${GT_UNIT_COUNT:-0}; i++)); do
    name="GT_UNIT_${i}_NAME"; name=${!name}
    text="GT_UNIT_${i}_TEXT"; text=${!text}
    if gt_write "/etc/systemd/system/$name" 0644 "$text"; then
      changed_units+=("$name")
      any=1
    fi
  done
  if [ "$any" = 1 ]; then
    systemctl daemon-reload
  fi
  for ((i = 0; i < ${GT_UNIT_COUNT:-0}; i++)); do
    name="GT_UNIT_${i}_NAME"; name=${!name}
    local enable="GT_UNIT_${i}_ENABLE" start="GT_UNIT_${i}_START"
    if [ "${!enable}" = yes ] && ! systemctl is-enabled --quiet "$name"; then
      systemctl enable --quiet "$name"
      gt_changed "enabled $name"
    fi
    if [ "${!start}" = yes ]; then
      if ! systemctl is-active --quiet "$name"; then
        systemctl start "$name"
        gt_changed "started $name"
      elif [ "${#changed_units[@]}" -gt 0 ] && gt_in_list "$name" "${changed_units[@]}"; then
        systemctl restart "$name"
        gt_changed "restarted $name"
      fi
    fi
  done
}

# --- apt ----------------------------------------------------------------------------------------------
# Steps on one node run in parallel; a node-wide lock keeps their apt and dpkg calls from racing for dpkg's lock
# (DPkg::Lock::Timeout also waits out apt's own timers, e.g. apt-daily).
# gt_apt_locked CMD...: run CMD (a program or a shell function) holding the lock; a call made while this step
# already holds it runs directly, so a refresh and the install that follows it share one hold.
GT_APT_LOCK=/run/goldentooth/apt.lock
GT_APT_LOCK_HELD=0
gt_apt_locked() {
  if [ "$GT_APT_LOCK_HELD" = 1 ]; then
    "$@"
    return
  fi
  install -d -m 0755 "${GT_APT_LOCK%/*}"
  local fd rc=0
  exec {fd}>>"$GT_APT_LOCK"
  if ! flock -w 1800 "$fd"; then
    exec {fd}>&-
    echo "waited 30 minutes for the node's apt lock $GT_APT_LOCK: another step still holds it" >&2
    return 1
  fi
  GT_APT_LOCK_HELD=1
  "$@" || rc=$?
  GT_APT_LOCK_HELD=0
  exec {fd}>&-
  return "$rc"
}
GT_APT_UPDATE_ARGS=()  # extra options for the update gt_apt_install runs (the clock step relaxes date checks)
gt_apt_get() {
  gt_apt_locked env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=900 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >&2
}

# gt_apt_refreshed_install APT_INSTALL_ARGS...: refresh the package lists, then install, in one hold of the lock,
# so what is installed comes from the sources as they are now (a source that moved to the next Kubernetes minor
# is read before its packages are asked for), and no other step's apt call runs in between.
# (Lists this step refreshed after its own source change are not fetched twice: any other step that changes a
# source refreshes them itself.)
GT_APT_LISTS_FRESH=0
gt_apt_refreshed_install() { gt_apt_locked _gt_apt_refresh_then install "$@"; }
_gt_apt_refresh_then() {
  gt_apt_refresh
  gt_apt_get "$@"
}
gt_apt_refresh() {
  if [ "$GT_APT_LISTS_FRESH" = 0 ]; then
    gt_apt_get "${GT_APT_UPDATE_ARGS[@]}" update
  fi
  GT_APT_LISTS_FRESH=0
}

# gt_apt_source NAME KEY_URL SOURCES_TEXT: the deb822 source /etc/apt/sources.list.d/NAME.sources with its
# armored signing key in /etc/apt/keyrings/NAME.asc. The key is fetched when missing or when its URL changed
# (a new Kubernetes minor is a new repository with its own key URL). A changed source refreshes the lists at
# once, so a step that keeps installed packages still leaves the new repository's lists for the next install.
gt_apt_source() {
  local name=$1 key_url=$2 text=$3
  local keyring=/etc/apt/keyrings/$1.asc url_file=/var/lib/goldentooth/apt-keys/$1.url moved=0
  if [ ! -s "$keyring" ] || [ "$(cat "$url_file" 2>/dev/null)" != "$key_url" ]; then
    moved=1
    local key
    gt_mktemp key
    curl -fsSL --retry 3 --max-time 60 -o "$key" "$key_url"
    if ! grep -q -- '-----BEGIN PGP PUBLIC KEY BLOCK-----' "$key"; then
      echo "$key_url did not return an armored OpenPGP key" >&2
      return 1
    fi
    install -D -m 0644 "$key" "$keyring"
    install -d -m 0755 "${url_file%/*}"
    printf '%s\n' "$key_url" >"$url_file"
    gt_changed "$keyring from $key_url"
  fi
  if gt_write "/etc/apt/sources.list.d/$name.sources" 0644 "$text"; then moved=1; fi
  if [ "$moved" = 1 ]; then
    gt_apt_get "${GT_APT_UPDATE_ARGS[@]}" update
    GT_APT_LISTS_FRESH=1
  fi
}

# gt_apt_install [--keep-installed] SPEC...: install what is missing. SPEC is NAME or NAME=VERSION with apt's
# glob syntax (kubeadm=1.32.9-*), so a pinned package is replaced when the installed version does not match;
# with --keep-installed, any installed version is kept (another procedure owns version moves).
gt_apt_install() {
  local spec name want have missing=() keep=0
  if [ "${1:-}" = --keep-installed ]; then
    keep=1
    shift
  fi
  for spec in "$@"; do
    name=${spec%%=*}
    want=""
    if [[ $spec == *=* ]]; then want=${spec#*=}; fi
    have=$(dpkg-query -W -f='${db:Status-Abbrev}|${Version}' "$name" 2>/dev/null || true)
    # shellcheck disable=SC2053 # the pinned version is a glob on purpose
    if [[ $have == [ih]i* ]] && { [ -z "$want" ] || [ "$keep" = 1 ] || [[ ${have#*|} == $want ]]; }; then
      continue
    fi
    missing+=("$spec")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  gt_apt_refreshed_install --no-install-recommends --allow-change-held-packages "${missing[@]}"
  for spec in "${missing[@]}"; do
    gt_changed "installed $spec"
  done
}

# gt_apt_unhold NAME...: let a version move (an upgrade) change held packages; gt_apt_hold holds them again.
gt_apt_unhold() {
  local name
  for name in "$@"; do
    if [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$name" 2>/dev/null) == h* ]]; then
      gt_apt_locked apt-mark unhold "$name" >/dev/null
    fi
  done
}

# gt_apt_hold NAME...: keep unattended upgrades and `apt upgrade` away from pinned packages.
gt_apt_hold() {
  local name
  for name in "$@"; do
    if [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$name") != h* ]]; then
      gt_apt_locked apt-mark hold "$name" >/dev/null
      gt_changed "held $name"
    fi
  done
}
