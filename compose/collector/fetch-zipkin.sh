#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fetches the Zipkin server exec jar (Maven Central artifact io.zipkin:zipkin-server:<v>:jar:exec)
# into the cache OUTSIDE the repo, where the lab's process mode (CollectorTier, ./lab sampling,
# SamplingProofTest) looks for it (the version: the root pom's zipkin.version):
#   ${TRACELAB_CACHE:-$HOME/.cache/tracelab}/zipkin/zipkin-server-<v>-exec.jar
# Skips when the jar is already there (a 135 MB download the first time). Uses the repo's Maven wrapper and whatever repository
# settings Maven is configured with. The LAST stdout line is the jar path:
#   JAR=$(compose/collector/fetch-zipkin.sh | tail -1)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export HOME="${HOME:-/root}"
# shellcheck source=../versions.sh
. "$HERE/../versions.sh"
DIR="${TRACELAB_CACHE:-$HOME/.cache/tracelab}/zipkin"
JAR="$DIR/zipkin-server-$ZIPKIN_VERSION-exec.jar"

log() { printf '[fetch-zipkin] %s\n' "$*" >&2; }

if [ -f "$JAR" ]; then
  log "cached: $JAR"
  echo "$JAR"
  exit 0
fi
mkdir -p "$DIR"
log "fetching io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec"
# -N: run once on the parent pom, not once per module. TRACELAB_FETCH_PROGRESS=1 (./lab sets it):
# Maven's transfer progress ("Progress (1): 46/135 MB") on stderr, which ./lab shows as a percentage.
if [ -n "${TRACELAB_FETCH_PROGRESS:-}" ]; then mvn_flags=(-N); else mvn_flags=(-q -B -ntp -N); fi
(cd "$ROOT" && CI= ./mvnw "${mvn_flags[@]}" dependency:copy \
    -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" \
    -DoutputDirectory="$DIR" >&2)
[ -f "$JAR" ] || { log "ERROR: $JAR not there after dependency:copy"; exit 1; }
log "fetched $JAR ($(du -h "$JAR" | cut -f1))"
echo "$JAR"
