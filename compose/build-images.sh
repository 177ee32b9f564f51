#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# build-images.sh — the project's images, tag ${TRACELAB_IMAGE_TAG:-dev}:
#   Java, from the modules' fat jars (run after `./mvnw -B -DskipTests package` at the repo root),
#   each also tagged with its language suffix (what compose's GATEWAY_LANG & co. pick):
#     tracelab/gateway-svc (= tracelab/gateway-svc-java), tracelab/worker-svc (= -java),
#     tracelab/consumer-svc (= -java), tracelab/lab-auditor (= tracelab/auditor)      base eclipse-temurin:17-jre
#   Go, static binaries built here (CGO_ENABLED=0 go build; needs Go):
#     tracelab/gateway-svc-go, tracelab/consumer-svc-go           base scratch
#   Node.js, the app with its production node_modules (npm ci --omit=dev here; needs npm):
#     tracelab/worker-svc-node                                     base node:20-bookworm-slim
# Base images must be present locally or pullable (CI: compose/standins/build-standins.sh).
# BUILD_IMAGES=java,go,node picks the families (default all three). Also writes the
# image versions of the upstream images into compose/.env (compose/versions.sh, from pom.xml),
# so `docker compose up` in compose/ finds them.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TAG=${TRACELAB_IMAGE_TAG:-dev}
MODULES=(gateway-svc worker-svc consumer-svc lab-auditor)
GO_SERVICES=(gateway-svc consumer-svc)
FAMILIES=",${BUILD_IMAGES:-java,go,node},"

log() { printf '[build-images] %s\n' "$*"; }
wants() { [[ "$FAMILIES" == *",$1,"* ]]; }
if wants java; then for m in "${MODULES[@]}"; do
  jar="$ROOT/$m/target/$m.jar"
  [ -s "$jar" ] || { log "ERROR: $jar missing; run ./mvnw -B -DskipTests package first"; exit 1; }
done; fi
if wants go; then command -v go >/dev/null 2>&1 || { log "ERROR: go not found (the Go images build their binaries here)"; exit 1; }; fi
if wants node; then command -v npm >/dev/null 2>&1 || { log "ERROR: npm not found (the Node.js image gets its node_modules from npm ci here)"; exit 1; }; fi
t0=$(date +%s)
log=$(mktemp); ctx=$(mktemp -d); trap 'rm -f "$log"; rm -rf "$ctx"' EXIT
# build TAG CONTEXT MODULE-LABEL [docker build args...]
build() {
  local tag=$1 dir=$2 label=$3; shift 3
  # classic builder by default: BuildKit would ask a registry for the base image's metadata even
  # when it is present locally (no registry on CI); DOCKER_BUILDKIT=1 works wherever one is reachable
  DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0} docker build -q --label "dev.tracelab.module=$label" "$@" \
      -t "$tag" "$dir" >"$log" 2>&1 || { cat "$log" >&2; log "ERROR: docker build $tag failed"; exit 1; }
}
size() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1/1000/1000}'; }
wants java && for m in "${MODULES[@]}"; do
  t=$(date +%s)
  build "tracelab/$m:$TAG" "$ROOT/$m" "$m"
  if [ "$m" = lab-auditor ]; then
    docker tag "tracelab/$m:$TAG" "tracelab/auditor:$TAG" # the name a team adds to its stack (docs/audit.md)
  else
    docker tag "tracelab/$m:$TAG" "tracelab/$m-java:$TAG"
  fi
  log "tracelab/$m:$TAG ($(size "tracelab/$m:$TAG")) in $(( $(date +%s) - t ))s"
done
wants go && for m in "${GO_SERVICES[@]}"; do
  t=$(date +%s)
  mkdir -p "$ctx/$m-go/data" # an empty folder, for a Dockerfile that needs a writable one
  (cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$ctx/$m-go/$m" "./$m/go") \
    || { log "ERROR: go build ./$m/go failed"; exit 1; }
  cp "$ROOT/$m/go/Dockerfile" "$ctx/$m-go/Dockerfile"
  build "tracelab/$m-go:$TAG" "$ctx/$m-go" "$m-go"
  log "tracelab/$m-go:$TAG ($(size "tracelab/$m-go:$TAG")) in $(( $(date +%s) - t ))s"
done
if wants node; then
  t=$(date +%s)
  app="$ctx/worker-svc-node/app"
  mkdir -p "$app/worker-svc/node" "$app/broken-variants"
  cp -r "$ROOT/worker-svc/node/package.json" "$ROOT/worker-svc/node/package-lock.json" "$ROOT/worker-svc/node/src" "$app/worker-svc/node/"
  cp -r "$ROOT/broken-variants/node" "$app/broken-variants/node"
  rm -rf "$app/broken-variants/node/node_modules"
  (cd "$app/worker-svc/node" && npm ci --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error >"$log" 2>&1) \
    || { cat "$log" >&2; log "ERROR: npm ci --omit=dev (worker-svc/node) failed"; exit 1; }
  cp "$ROOT/worker-svc/node/Dockerfile" "$ctx/worker-svc-node/Dockerfile"
  build "tracelab/worker-svc-node:$TAG" "$ctx/worker-svc-node" worker-svc-node
  log "tracelab/worker-svc-node:$TAG ($(size "tracelab/worker-svc-node:$TAG")) in $(( $(date +%s) - t ))s"
fi
if wants java; then
  # the page: lab-env.jar (its FrontendServer needs only the JDK) and the esbuild bundle
  t=$(date +%s)
  command -v npm >/dev/null 2>&1 || { log "ERROR: npm not found (the frontend image bundles the page with npm run build)"; exit 1; }
  envjar=$(ls "$ROOT"/lab-env/target/lab-env-*.jar 2>/dev/null | grep -v -e sources -e tests | head -1)
  [ -s "$envjar" ] || { log "ERROR: lab-env/target/lab-env-*.jar missing; run ./mvnw -B -DskipTests package first"; exit 1; }
  (cd "$ROOT/frontend" && npm ci --no-audit --no-fund --loglevel=error && npm run build) >"$log" 2>&1 \
    || { cat "$log" >&2; log "ERROR: npm run build (frontend) failed"; exit 1; }
  mkdir -p "$ctx/frontend"
  cp "$envjar" "$ctx/frontend/lab-env.jar"
  cp "$ROOT/frontend/Dockerfile" "$ctx/frontend/"
  cp -r "$ROOT/frontend/dist" "$ctx/frontend/dist"
  build "tracelab/frontend:$TAG" "$ctx/frontend" frontend
  log "tracelab/frontend:$TAG ($(size "tracelab/frontend:$TAG")) in $(( $(date +%s) - t ))s"
fi
bash "$ROOT/compose/versions.sh" | sed 's/^/[build-images] /'
# the previous builds' images, untagged now
docker image prune -f --filter label=dev.tracelab.module >/dev/null 2>&1 || true
log "all images in $(( $(date +%s) - t0 ))s"
