#!/usr/bin/env bash
# Build the pinned Pulumi engine toolchain from Go modules and install it into a PULUMI_HOME outside the checkout.
#
#   tools/engine/build.sh [--print-env]
#
# Components are listed in tools/engine/components.txt. Each is built once per (line, this script) into
# $GOLDENTOOTH_ENGINE/build/<name>-<key>/ (default ~/.cache/goldentooth/engine), so a fresh clone on the same
# machine reuses it. The assembled toolchain lives in $GOLDENTOOTH_ENGINE/<digest>/ (bin/, home/ = PULUMI_HOME,
# env); its stamp makes a second run cost seconds. --print-env prints the env file's path (for Makefile/tests).
#
# Resource providers are installed at exactly the versions the installed Python packages request (their
# pulumi-plugin.json), with `pulumi plugin install resource NAME VERSION --file BINARY`, so the CLI never downloads.
# A component the module proxy does not serve stops the build with the module@version and the proxy's answer.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
components=$here/components.txt
root=${GOLDENTOOTH_ENGINE:-${XDG_CACHE_HOME:-$HOME/.cache}/goldentooth/engine}
venv=${GOLDENTOOTH_VENV:-$repo/.venv}
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-local}
# The CLI reads user.Current(); CI may run without USER/HOME.
export USER=${USER:-$(id -un)} HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}

log() { printf 'engine: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

sha() { sha256sum | cut -c1-16; }
script_key=$(sha <"$0")

# NAME MODULE VERSION MAIN of one component.
component() {
    local line
    line=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$components" | awk -v n="$1" '$1 == n')
    [[ -n $line ]] || die "no component $1 in $components"
    printf '%s\n' "$line"
}

# The version of provider NAME the installed wheel requests.
wheel_plugin_version() {
    local name=$1 json
    json=$(compgen -G "$venv/lib/python3*/site-packages/pulumi_$name/pulumi-plugin.json" | head -n 1 || true)
    [[ -n $json ]] || die "no pulumi-plugin.json for pulumi_$name in $venv (run make venv first)"
    "$venv/bin/python" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["version"])' "$json"
}

# Ask the proxy for MODULE@VERSION; on failure print the exact answer and stop.
resolve() {
    local module=$1 version=$2 out
    if ! out=$(go list -m -json "$module@$version" 2>&1); then
        die "cannot have $module@$version from the module proxy:
$out
(docs/engine.md lists what was tried for this component)"
    fi
}

# Build MAIN from a wrapper module requiring MODULE@VERSION (plus extra require/replace lines) into $dir/$name.
# Prints the binary's path. Reused when $dir/.built exists.
build_wrapped() {
    local name=$1 module=$2 version=$3 main=$4 extra=$5 ldflags=$6 tags=$7
    local key dir work start
    key=$(printf '%s\n' "$name $module $version $main" "$extra" "$ldflags" "$tags" "$script_key" | sha)
    dir=$root/build/$name-$key
    if [[ -x $dir/$name && -f $dir/.built ]]; then
        printf '%s\n' "$dir/$name"
        return
    fi
    resolve "$module" "$version"
    mkdir -p "$dir"
    work=$(mktemp -d)
    # shellcheck disable=SC2064 # expand now: $work is local
    trap "rm -rf '$work'" RETURN
    {
        printf 'module goldentooth.local/engine/%s\n\ngo 1.26\n\nrequire %s %s\n' "$name" "$module" "$version"
        printf '%s\n' "$extra"
    } >"$work/go.mod"
    printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$main" >"$work/tools.go"
    log "building $name from $module@$version (cached in $dir); a cold build takes minutes"
    start=$(date +%s)
    (cd "$work" && nice -n 10 go mod tidy >&2)
    (cd "$work" && nice -n 10 go build -trimpath ${tags:+-tags "$tags"} -ldflags "$ldflags" -o "$dir/$name" "$main" >&2)
    printf '%s %s built in %ss\n' "$module" "$version" "$(($(date +%s) - start))" >"$dir/.built"
    cp "$work/go.mod" "$dir/go.mod"
    cp "$work/go.sum" "$dir/go.sum"
    log "$(cat "$dir/.built")"
    printf '%s\n' "$dir/$name"
}

build_cli() {
    local name module version main
    read -r name module version main < <(component pulumi)
    # pkg/v3 replaces sdk/v3 with ../sdk (not in the module zip): require the same sdk release instead. Its
    # clipboard replace (a fork with a Windows-only change) is repeated so the dependency graph is upstream's.
    build_wrapped "$name" "$module" "$version" "$main" \
        "require github.com/pulumi/pulumi/sdk/v3 $version
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e" \
        "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" "osusergo,grpcnotrace"
}

build_language_host() {
    local name module version main cli_version
    read -r name module version main < <(component pulumi-language-python)
    read -r _ _ cli_version _ < <(component pulumi)
    build_wrapped "$name" "$module" "$version" "$main" \
        "require (
	github.com/pulumi/pulumi/sdk/v3 $cli_version
	github.com/pulumi/pulumi/pkg/v3 $cli_version
)
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e" \
        "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$cli_version" ""
}

# The executor script the language host runs; it ships in the sdk/v3 module (copied at build time, never committed).
exec_script() {
    local cli_version dir
    read -r _ _ cli_version _ < <(component pulumi)
    dir=$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@$cli_version" |
        "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
    [[ -f $dir/python/cmd/pulumi-language-python-exec ]] || die "no python/cmd/pulumi-language-python-exec in $dir"
    printf '%s\n' "$dir/python/cmd/pulumi-language-python-exec"
}

build_provider() {
    local plugin=$1 name module version main plugin_version ldflags
    read -r name module version main < <(component "pulumi-resource-$plugin")
    plugin_version=$(wheel_plugin_version "$plugin")
    case $plugin in
    command) ldflags="-s -w -X github.com/pulumi/pulumi-command/provider/pkg/version.Version=$plugin_version" ;;
    tls) ldflags="-s -w -X github.com/pulumi/pulumi-tls/provider/v5/pkg/version.Version=$plugin_version" ;;
    random) ldflags="-s -w -X github.com/pulumi/pulumi-random/provider/v4/pkg/version.Version=$plugin_version" ;;
    *) die "unknown provider $plugin" ;;
    esac
    case $plugin in
    tls | random)
        # Bridged providers: their go.mod replaces terraform-plugin-sdk with Pulumi's fork and a ./shim module
        # that is not in the module zip, and main embeds a generated schema-embed.json. Both are produced only
        # once the provider module itself resolves; resolve first so the failure names the module.
        resolve "$module" "$version"
        die "the bridged provider $module@$version resolved, but its shim module and schema generation are not
written yet (docs/engine.md, 'Bridged providers')"
        ;;
    esac
    build_wrapped "$name" "$module" "$version" "$main" "" "$ldflags" ""
}

main() {
    [[ -x $venv/bin/python ]] || die "no $venv (run make venv first)"
    local digest home cli lang exec_src plugin bin
    digest=$({ cat "$components" "$0"; for p in command tls random; do wheel_plugin_version "$p"; done; } | sha)
    home=$root/$digest
    if [[ ${1:-} == --print-env ]]; then
        printf '%s\n' "$home/env"
        return
    fi
    if [[ -f $home/.complete ]]; then
        log "toolchain up to date: $home (source $home/env)"
        return
    fi
    mkdir -p "$home/bin" "$home/home"
    cli=$(build_cli)
    install -m 0755 "$cli" "$home/bin/pulumi"
    lang=$(build_language_host)
    install -m 0755 "$lang" "$home/bin/pulumi-language-python"
    exec_src=$(exec_script)
    install -m 0755 "$exec_src" "$home/bin/pulumi-language-python-exec"
    for plugin in command tls random; do
        bin=$(build_provider "$plugin")
        PULUMI_HOME=$home/home PULUMI_SKIP_UPDATE_CHECK=true \
            "$home/bin/pulumi" plugin install resource "$plugin" "$(wheel_plugin_version "$plugin")" --file "$bin" >&2
    done
    cat >"$home/env" <<EOF
# Source this file to use the pinned engine ($(date -u +%Y-%m-%d), tools/engine/build.sh).
export PATH="$home/bin:\$PATH"
export PULUMI_HOME="$home/home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
EOF
    touch "$home/.complete"
    log "toolchain ready: $home (source $home/env)"
}

main "$@"
