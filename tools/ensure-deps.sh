#!/usr/bin/env bash
# Make sure what the tests need beyond Python is here, before any test runs (`make test`, `make deps`, `.ci/run`):
#
#   tools/ensure-deps.sh              Debian packages, then Go-built tools
#   tools/ensure-deps.sh --packages   only the Debian packages (.ci/debian-packages.txt)
#   tools/ensure-deps.sh --go-tools   only the Go-built tools (tools/go-tools.txt), as `make tools` does
#
# Packages: checked with dpkg-query (no apt, no network when nothing is missing). As root on Debian the missing
# ones are installed; otherwise the script names them, prints the exact command that installs them and fails.
# Go tools: each line of tools/go-tools.txt is `NAME PACKAGE VERSION [VAR=VALUE...] [GO-BUILD-ARG...]` (`#` starts
# a comment; VAR=VALUE words such as GOTOOLCHAIN=go1.27.3 set the build's environment). Each is built once per
# version by tools/go-tool.sh into its cache; that needs Go, not root.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE_LIST=${GOLDENTOOTH_PACKAGE_LIST:-.ci/debian-packages.txt}
GO_TOOLS=${GOLDENTOOTH_GO_TOOLS:-tools/go-tools.txt}
TOOLS_ROOT=${GOLDENTOOTH_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/goldentooth/tools}

# Lines of a list without comments and blank lines (a list that cannot be read is an error, not an empty list).
entries() {
    if [[ ! -r $1 ]]; then
        echo "ensure-deps: cannot read $1" >&2
        return 1
    fi
    sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$1"
}

ensure_packages() {
    local wanted missing=() package status
    entries "$PACKAGE_LIST" >/dev/null || return 1
    mapfile -t wanted < <(entries "$PACKAGE_LIST")
    [[ ${#wanted[@]} -gt 0 ]] || return 0
    if ! command -v dpkg-query >/dev/null; then
        echo "ensure-deps: this is not a Debian system (no dpkg-query); the tests need these Debian packages" \
             "or their equivalents: ${wanted[*]}" >&2
        echo "ensure-deps: on Debian, install them with:" >&2
        echo "  sudo apt-get install -y --no-install-recommends ${wanted[*]}" >&2
        return 1
    fi
    # One dpkg-query for the whole list; a package dpkg has never heard of is printed to stderr and absent here.
    declare -A installed=()
    while read -r package status; do
        [[ $status == "install ok installed" ]] && installed[$package]=1
    done < <(dpkg-query -W -f='${Package} ${Status}\n' "${wanted[@]}" 2>/dev/null || true)
    for package in "${wanted[@]}"; do
        [[ -n ${installed[$package]:-} ]] || missing+=("$package")
    done
    [[ ${#missing[@]} -gt 0 ]] || return 0

    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "ensure-deps: installing Debian packages: ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        return 0
    fi
    echo "ensure-deps: the tests need Debian packages that are not installed: ${missing[*]}" >&2
    echo "ensure-deps: install them with (then run make test again):" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    return 1
}

ensure_go_tools() {
    [[ -e $GO_TOOLS ]] || return 0  # no Go-built tools yet
    entries "$GO_TOOLS" >/dev/null || return 1
    local line fields name package version word unbuilt=() envs args
    while read -r line; do
        read -ra fields <<<"$line"
        name=${fields[0]} package=${fields[1]:-} version=${fields[2]:-}
        if [[ -z $version ]]; then
            echo "ensure-deps: $GO_TOOLS: '$line' is not 'NAME PACKAGE VERSION'" >&2
            return 1
        fi
        if [[ -x $TOOLS_ROOT/$name-$version/$name && -f $TOOLS_ROOT/$name-$version/.built ]]; then
            continue
        fi
        if ! command -v go >/dev/null; then
            unbuilt+=("$name")
            continue
        fi
        envs=() args=()
        for word in "${fields[@]:3}"; do
            if [[ $word =~ ^[A-Z_][A-Z0-9_]*= ]]; then envs+=("$word"); else args+=("$word"); fi
        done
        env "${envs[@]}" GOLDENTOOTH_TOOLS="$TOOLS_ROOT" tools/go-tool.sh "$name" "$package" "$version" "${args[@]}" \
            >/dev/null
    done < <(entries "$GO_TOOLS")
    [[ ${#unbuilt[@]} -gt 0 ]] || return 0
    echo "ensure-deps: the tests need Go-built tools that are not built yet: ${unbuilt[*]}, and Go is not on PATH." >&2
    echo "ensure-deps: install Go (the version in tools/go-tool.sh), then build them with:" >&2
    echo "  make tools" >&2
    return 1
}

status=0
case ${1:-all} in
    --packages) ensure_packages || status=1 ;;
    --go-tools) ensure_go_tools || status=1 ;;
    all)
        # Both, so one run names everything that is missing.
        ensure_packages || status=1
        ensure_go_tools || status=1
        ;;
    *)
        echo "usage: $0 [--packages|--go-tools]" >&2
        exit 2
        ;;
esac
exit "$status"
