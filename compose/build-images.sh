#!/usr/bin/env bash
# build-images.sh — the project's four images from the modules' fat jars:
#   tracelab/gateway-svc, tracelab/worker-svc, tracelab/consumer-svc, tracelab/lab-auditor
# (tag ${TRACELAB_IMAGE_TAG:-dev}). Run after `./mvnw -B -DskipTests package` at the repo root.
# The base image eclipse-temurin:17-jre must be present locally or pullable. Also writes the
# image versions of the upstream images into compose/.env (compose/versions.sh, from pom.xml),
# so `docker compose up` in compose/ finds them.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TAG=${TRACELAB_IMAGE_TAG:-dev}
MODULES=(gateway-svc worker-svc consumer-svc lab-auditor)

log() { printf '[build-images] %s\n' "$*"; }
for m in "${MODULES[@]}"; do
  jar="$ROOT/$m/target/$m.jar"
  [ -s "$jar" ] || { log "ERROR: $jar missing; run ./mvnw -B -DskipTests package first"; exit 1; }
done
t0=$(date +%s)
log=$(mktemp); trap 'rm -f "$log"' EXIT
for m in "${MODULES[@]}"; do
  t=$(date +%s)
  # classic builder by default: BuildKit would ask a registry for the base image's metadata even
  # when it is present locally (no registry on CI); DOCKER_BUILDKIT=1 works wherever one is reachable
  DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0} docker build -q --label "dev.tracelab.module=$m" \
      -t "tracelab/$m:$TAG" "$ROOT/$m" >"$log" 2>&1 || { cat "$log" >&2; log "ERROR: docker build $m failed"; exit 1; }
  size=$(docker image inspect -f '{{.Size}}' "tracelab/$m:$TAG" | awk '{printf "%.0f MB", $1/1000/1000}')
  log "tracelab/$m:$TAG ($size) in $(( $(date +%s) - t ))s"
done
bash "$ROOT/compose/versions.sh" | sed 's/^/[build-images] /'
# the previous builds' images, untagged now
docker image prune -f --filter label=dev.tracelab.module >/dev/null 2>&1 || true
log "all images in $(( $(date +%s) - t0 ))s"
