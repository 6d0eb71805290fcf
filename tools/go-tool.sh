#!/usr/bin/env bash
# Build one Go tool from its module through the Go module proxy, once per version, and print its path.
#
#   tools/go-tool.sh NAME PACKAGE VERSION [GO-BUILD-ARG...]
#   tools/go-tool.sh step-ca github.com/smallstep/certificates/cmd/step-ca v0.30.2
#
# PACKAGE is the main package's import path, VERSION the module version (a tag or a pseudo-version).
# The binary lands in $GOLDENTOOTH_TOOLS/NAME-VERSION/NAME (default ~/.cache/goldentooth/tools), outside any
# checkout, so fresh clones on the same machine (CI's among them) reuse it and a second build costs nothing.
# Environment: GOTOOLCHAIN (e.g. go1.27.3 for a module that needs a newer Go), CGO_ENABLED (default 0),
# GO_TOOL_TAGS (build tags). Build arguments after VERSION are passed to `go install` (for -ldflags).
set -euo pipefail

if [[ $# -lt 3 ]]; then
    echo "usage: $0 NAME PACKAGE VERSION [GO-BUILD-ARG...]" >&2
    exit 2
fi
name=$1 package=$2 version=$3
shift 3

root=${GOLDENTOOTH_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/goldentooth/tools}
dir="$root/$name-$version"
binary="$dir/$name"
if [[ -x $binary && -f $dir/.built ]]; then
    echo "$binary"
    exit 0
fi

mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# `go install pkg@version` builds in module mode from the proxy, honouring the module's own go.mod (but not its
# replace directives: a module that needs them gets a wrapper module of its own, see tools/engine/).
export CGO_ENABLED=${CGO_ENABLED:-0}
tags=()
if [[ -n ${GO_TOOL_TAGS:-} ]]; then
    tags=(-tags "$GO_TOOL_TAGS")
fi
echo "building $name from $package@$version (cached in $dir)" >&2
wrapper="$(cd "$(dirname "$0")" && pwd)/$name"
if [[ -f $wrapper/go.mod ]]; then
    # A module whose go.mod has replace directives cannot be `go install`ed at a version: tools/NAME/ is a wrapper
    # module that requires it at VERSION (checked here), repeats its replace lines and lists PACKAGE as a tool.
    if ! grep -Eq "^[[:space:]]*(require[[:space:]]+)?[^[:space:]]+[[:space:]]+$version([[:space:]]|$)" "$wrapper/go.mod"; then
        echo "$wrapper/go.mod does not require version $version" >&2
        exit 1
    fi
    cp "$wrapper/go.mod" "$wrapper/go.sum" "$work/"
    mkdir -p "$work/bin"
    (cd "$work" && nice -n 10 go build -mod=readonly -trimpath "${tags[@]}" "$@" -o "$work/bin/$name" "$package") >&2
else
    GOBIN="$work/bin" nice -n 10 go install -trimpath "${tags[@]}" "$@" "$package@$version" >&2
fi
built=$(find "$work/bin" -type f -perm -u+x | head -n 1)
if [[ -z $built ]]; then
    echo "go install of $package@$version produced no binary" >&2
    exit 1
fi
install -m 0755 "$built" "$binary"
printf '%s %s\n' "$package" "$version" >"$dir/.built"
echo "$binary"
