#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the tracelab lab collector (otelcol-lab) from builder-config.yaml with the
# OpenTelemetry Collector Builder, into a cache OUTSIDE the repo:
#   ${TRACELAB_CACHE:-$HOME/.cache/tracelab}/otelcol/<sha256 of the resolved manifest>/otelcol-lab
# The manifest is a template: ${OTELCOL_VERSION} / ${OTELCOL_STABLE_VERSION} come from the root
# pom (compose/versions.sh); dev.tracelab.env.Versions computes the same cache key.
# Skips the build when that binary already exists. Logs go to stderr; the LAST (and
# only) stdout line is the binary path:
#   BIN=$(compose/collector/build-collector.sh | tail -1)
# Non-interactive; needs Go (>= 1.25) at /usr/local/go/bin or on PATH and the Go module proxy.
# The builder already links with -trimpath -ldflags="-s -w" (its non-debug default).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MANIFEST="$HERE/builder-config.yaml"
# shellcheck source=../versions.sh
. "$HERE/../versions.sh"
export HOME="${HOME:-/root}"
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"

log() { printf '[build-collector] %s\n' "$*" >&2; }

command -v go >/dev/null || { log "ERROR: go not found (looked in /usr/local/go/bin and PATH)"; exit 1; }
[ -f "$MANIFEST" ] || { log "ERROR: missing $MANIFEST"; exit 1; }

# The builder version is the beta module version of the manifest.
OCB_VERSION="v$OTELCOL_VERSION"
# the manifest with the pom's versions in place (the only substitutions made)
resolved() {
  sed -e "s/\${OTELCOL_VERSION}/$OTELCOL_VERSION/g" -e "s/\${OTELCOL_STABLE_VERSION}/$OTELCOL_STABLE_VERSION/g" "$MANIFEST"
}

CACHE_ROOT="${TRACELAB_CACHE:-$HOME/.cache/tracelab}"
SHA="$(resolved | sha256sum | cut -d' ' -f1)"
OUT_DIR="$CACHE_ROOT/otelcol/$SHA"
BIN="$OUT_DIR/otelcol-lab"

if [ -x "$BIN" ]; then
  log "cached: $BIN (manifest sha256 $SHA)"
  echo "$BIN"
  exit 0
fi

mkdir -p "$OUT_DIR"
# Serialise concurrent builds of the same manifest (parallel test runners).
if command -v flock >/dev/null; then
  exec 9>"$OUT_DIR/.lock"
  flock 9
  if [ -x "$BIN" ]; then log "built by a concurrent run: $BIN"; echo "$BIN"; exit 0; fi
fi

# Keep a 2-core / small-memory box responsive: 2 parallel compile jobs, no toolchain
# download (use the installed Go), no VCS stamping.
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:-} -p=2 -buildvcs=false"
export CGO_ENABLED=0

start=$(date +%s)
if [ "$(builder version 2>&1 | awk '{print $NF}')" != "$OCB_VERSION" ]; then
  log "installing go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION"
  go install "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION" >&2
fi
OCB="$(go env GOPATH)/bin/builder"
[ -x "$OCB" ] || OCB="$(command -v builder)"

WORK="$OUT_DIR/build"
rm -rf "$WORK"; mkdir -p "$WORK"
# Same manifest, with the generated sources + binary placed in the cache work dir.
resolved | sed "s#^\(  output_path:\).*#\1 $WORK/src#" > "$WORK/builder-config.yaml"

log "building otelcol-lab $OCB_VERSION (manifest sha256 $SHA) in $WORK ..."
"$OCB" --config="$WORK/builder-config.yaml" >"$WORK/build.log" 2>&1 || {
  log "ERROR: builder failed; last lines of $WORK/build.log:"; tail -40 "$WORK/build.log" >&2; exit 1; }

mv -f "$WORK/src/otelcol-lab" "$BIN.tmp" && mv -f "$BIN.tmp" "$BIN"
rm -rf "$WORK/src"   # generated sources are not needed any more (module cache keeps deps)
end=$(date +%s)
log "built $BIN in $((end - start))s, size $(du -h "$BIN" | cut -f1) ($(stat -c %s "$BIN") bytes)"
"$BIN" --version >&2 || true
echo "$BIN"
