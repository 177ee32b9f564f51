#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# build-compose.sh — the Docker Compose V2 CLI plugin (`docker compose`), built from source through
# the Go module proxy, for machines that reach no release download and no image registry (tracelab's
# CI). Testcontainers' ComposeContainer runs the local `docker compose`; Debian bookworm ships only
# Compose 1.29 (python), which it does not support.
#
# Version: the root pom's docker-compose.version (compose/versions.sh). Built once per version into
#   ${TRACELAB_CACHE:-$HOME/.cache/tracelab}/compose/<version>/docker-compose
# Logs go to stderr; the LAST stdout line is the binary path:
#   BIN=$(compose/standins/build-compose.sh | tail -1)
#   install -D -m 755 "$BIN" /usr/local/lib/docker/cli-plugins/docker-compose
# Needs Go (>= the module's go directive) at /usr/local/go/bin or on PATH. No root needed.
#
# `go install module/cmd@version` refuses this module (its go.mod has exclude directives), so the
# module's source is fetched with `go mod download` and built as the main module, like its Makefile
# does (-trimpath, -ldflags "-s -w -X .../internal.Version=v<version>").
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../versions.sh
. "$HERE/../versions.sh"
export HOME="${HOME:-/root}"
export PATH="/usr/local/go/bin:$PATH"
log() { printf '[build-compose] %s\n' "$*" >&2; }

command -v go >/dev/null || { log "ERROR: go not found (looked in /usr/local/go/bin and PATH)"; exit 1; }
MODULE=github.com/docker/compose/v${COMPOSE_VERSION%%.*}
OUT_DIR="${TRACELAB_CACHE:-$HOME/.cache/tracelab}/compose/$COMPOSE_VERSION"
BIN="$OUT_DIR/docker-compose"

if [ -x "$BIN" ]; then log "cached: $BIN"; echo "$BIN"; exit 0; fi
mkdir -p "$OUT_DIR"
exec 9>"$OUT_DIR/.lock"; flock 9
if [ -x "$BIN" ]; then log "built by a concurrent run: $BIN"; echo "$BIN"; exit 0; fi

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-p=2 -buildvcs=false"
t0=$(date +%s)
dir=$(go mod download -json "$MODULE@v$COMPOSE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { log "ERROR: go mod download $MODULE@v$COMPOSE_VERSION gave no source directory"; exit 1; }
WORK="$OUT_DIR/src"
rm -rf "$WORK"; cp -r "$dir" "$WORK"; chmod -R u+w "$WORK"
log "building $MODULE v$COMPOSE_VERSION ..."
(cd "$WORK" && go build -trimpath -ldflags "-s -w -X $MODULE/internal.Version=v$COMPOSE_VERSION" \
   -o "$BIN.tmp" ./cmd) >"$OUT_DIR/build.log" 2>&1 \
  || { log "ERROR: build failed; last lines of $OUT_DIR/build.log:"; tail -30 "$OUT_DIR/build.log" >&2; exit 1; }
mv -f "$BIN.tmp" "$BIN"
rm -rf "$WORK"
log "built $BIN in $(( $(date +%s) - t0 ))s ($(du -h "$BIN" | cut -f1)): $("$BIN" version 2>&1 | head -1)"
echo "$BIN"
