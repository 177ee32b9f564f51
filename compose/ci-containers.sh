#!/usr/bin/env bash
# ci-containers.sh — the containers part of tracelab's CI (called by .ci/run, as root):
#   1. Docker engine       compose/standins/ensure-docker.sh (installs docker.io if missing, starts dockerd)
#   2. stand-in images     compose/standins/build-standins.sh temurin kafka zipkin (cached; registry-less CI only)
#   3. project jars        ./mvnw -q -B -DskipTests package   (CI_SKIP_PACKAGE=1: use the jars already built)
#   4. project images      compose/build-images.sh
#   5. compose smoke test  docker-compose up -d, one POST /orders through the gateway, the connected
#                          trace found in Zipkin (/api/v2/trace/{id}: exactly 6 spans, one chain)
#                          and in the auditor (one trace), then down. On failure: the logs of the
#                          failing containers, exit 1.
# Afterwards `./mvnw verify` runs both suites; ContainerLabTest uses the images built here.
# Each part prints its wall time. Knobs: SMOKE_PROJECT (tracelab-smoke), SMOKE_TIMEOUT (180 s),
# SMOKE_*_PORT host ports (defaults away from the workshop ones so a running stack is untouched).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMPOSE_DIR="$ROOT/compose"
SMOKE_PROJECT=${SMOKE_PROJECT:-tracelab-smoke}
SMOKE_TIMEOUT=${SMOKE_TIMEOUT:-180}
export GATEWAY_PORT=${SMOKE_GATEWAY_PORT:-18080} WORKER_PORT=${SMOKE_WORKER_PORT:-18081} \
       CONSUMER_PORT=${SMOKE_CONSUMER_PORT:-18082} AUDITOR_API_PORT=${SMOKE_AUDITOR_API_PORT:-18090} \
       AUDITOR_OTLP_PORT=${SMOKE_AUDITOR_OTLP_PORT:-14318} ZIPKIN_PORT=${SMOKE_ZIPKIN_PORT:-19411} \
       KAFKA_HOST_PORT=${SMOKE_KAFKA_HOST_PORT:-29192}
# the smoke test always runs the fixed variants, whatever the caller's environment says
export GATEWAY_VARIANT=fixed WORKER_VARIANT=fixed CONSUMER_VARIANT=fixed

log() { printf '[ci-containers] %s\n' "$*"; }
declare -a TIMES=()
part() {  # part NAME CMD...  — runs a part, records its wall time
  local name=$1 t0; shift; t0=$(date +%s)
  log "== $name"
  "$@"
  TIMES+=("$(printf '%-22s %4ss' "$name" "$(( $(date +%s) - t0 ))")")
  log "== $name done in $(( $(date +%s) - t0 ))s"
}
summary() { log "wall times:"; local t; for t in "${TIMES[@]}"; do log "  $t"; done; }

if command -v docker-compose >/dev/null 2>&1; then COMPOSE=(docker-compose)
else COMPOSE=(docker compose); fi
dc() { "${COMPOSE[@]}" -p "$SMOKE_PROJECT" --project-directory "$COMPOSE_DIR" -f "$COMPOSE_DIR/docker-compose.yml" "$@"; }

package() {
  if [ "${CI_SKIP_PACKAGE:-0}" = 1 ]; then log "CI_SKIP_PACKAGE=1: using the jars in */target"; return; fi
  (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
}

dump_failing() {
  log "containers:"; dc ps || true
  local id name state health exitcode shown=0
  for id in $(dc ps -q 2>/dev/null); do
    name=$(docker inspect -f '{{.Name}}' "$id" | sed 's#^/##')
    state=$(docker inspect -f '{{.State.Status}}' "$id")
    health=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id")
    exitcode=$(docker inspect -f '{{.State.ExitCode}}' "$id")
    if [ "$state" != running ] && [ "$exitcode" = 0 ]; then continue; fi   # kafka-init done
    if [ "$state" = running ] && { [ -z "$health" ] || [ "$health" = healthy ]; } && [ "${1:-}" != all ]; then continue; fi
    log "----- logs of $name ($state${health:+, $health}, exit $exitcode)"
    docker logs --tail 200 "$id" 2>&1 || true
    shown=1
  done
  if [ "$shown" = 0 ] && [ "${1:-}" != all ]; then dump_failing all; fi
}

smoke_up() {
  dc down -v --remove-orphans >/dev/null 2>&1 || true
  # (inside `if`, so set -e is off here: every failure returns explicitly)
  dc up -d || { log "docker-compose up failed"; return 1; }
  local deadline=$(( $(date +%s) + SMOKE_TIMEOUT )) id pending
  while :; do
    pending=""
    for id in $(dc ps -q); do
      case "$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}/{{.State.ExitCode}}' "$id")" in
        running/healthy/*|exited/none/0) ;;
        exited/*) log "$(docker inspect -f '{{.Name}}' "$id") exited"; return 1 ;;
        *) pending="$pending $(docker inspect -f '{{.Name}}' "$id")" ;;
      esac
    done
    [ -z "$pending" ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then log "not healthy after ${SMOKE_TIMEOUT}s:$pending"; return 1; fi
    sleep 2
  done
  log "all containers healthy"
}

smoke_request() {
  local body status trace_id order_id deadline zipkin n=0
  body=$(curl -sS -o /dev/stdout -w '\n%{http_code}' -X POST "http://127.0.0.1:$GATEWAY_PORT/orders" \
         -H 'Content-Type: application/json' -d '{"sku":"SMOKE-1","quantity":2}') || { log "POST /orders failed"; return 1; }
  status=${body##*$'\n'}; body=${body%$'\n'*}
  [ "$status" = 202 ] || { log "POST /orders answered $status: $body"; return 1; }
  trace_id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["traceId"])' <<<"$body") || return 1
  order_id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["orderId"])' <<<"$body") || return 1
  log "order $order_id accepted, trace $trace_id"
  deadline=$(( $(date +%s) + 60 ))
  while :; do
    zipkin=$(curl -s "http://127.0.0.1:$ZIPKIN_PORT/api/v2/trace/$trace_id" || true)
    n=$(python3 -c 'import json,sys
try: print(len(json.loads(sys.stdin.read())))
except Exception: print(0)' <<<"$zipkin")
    [ "$n" -ge 6 ] && break
    [ "$(date +%s)" -ge "$deadline" ] && { log "Zipkin has $n span(s) of trace $trace_id after 60s"; return 1; }
    sleep 1
  done
  # exactly the six spans of SPEC §2, one root, each span's parent inside the trace
  ZIPKIN_JSON=$zipkin python3 - "$trace_id" <<'PY' || return 1
import json, os, sys
spans = json.loads(os.environ["ZIPKIN_JSON"]); trace_id = sys.argv[1]
ids = {s["id"] for s in spans}
roots = [s for s in spans if "parentId" not in s]
shape = sorted((s["localEndpoint"]["serviceName"], s.get("kind", "INTERNAL")) for s in spans)
expected = sorted([("gateway-svc", "SERVER"), ("gateway-svc", "CLIENT"), ("worker-svc", "SERVER"),
                   ("worker-svc", "INTERNAL"), ("worker-svc", "PRODUCER"), ("consumer-svc", "CONSUMER")])
problems = []
if len(spans) != 6: problems.append(f"{len(spans)} spans, expected 6")
if len(roots) != 1 or roots[0]["localEndpoint"]["serviceName"] != "gateway-svc": problems.append(f"roots: {roots}")
if any(s.get("parentId") not in ids for s in spans if "parentId" in s): problems.append("a parent outside the trace")
if shape != expected: problems.append(f"services/kinds {shape}")
if any(s["traceId"] != trace_id for s in spans): problems.append("foreign trace id")
if problems:
    print("[ci-containers] Zipkin trace wrong: " + "; ".join(problems)); sys.exit(1)
print(f"[ci-containers] Zipkin: trace {trace_id} connected, 6 spans: " +
      ", ".join(f'{s["localEndpoint"]["serviceName"]}/{s.get("kind","INTERNAL")}' for s in spans))
PY
  # the auditor saw the same request as one trace
  deadline=$(( $(date +%s) + 30 ))
  until curl -sf "http://127.0.0.1:$AUDITOR_API_PORT/api/orders/$order_id" \
        | python3 -c 'import json,sys; t=json.load(sys.stdin)["traces"]; sys.exit(0 if len(t)==1 and len(t[0]["spans"])==6 else 1)' 2>/dev/null; do
    [ "$(date +%s)" -ge "$deadline" ] && { log "auditor: order $order_id is not one trace of 6 spans"; return 1; }
    sleep 1
  done
  log "auditor: order $order_id is one trace of 6 spans"
}

smoke() {
  if ! { smoke_up && smoke_request; }; then
    log "compose smoke test FAILED"
    dump_failing
    dc down -v --remove-orphans >/dev/null 2>&1 || true
    return 1
  fi
  dc down -v --remove-orphans
}

T_ALL=$(date +%s)
trap 'summary' EXIT
part "docker engine" "$COMPOSE_DIR/standins/ensure-docker.sh"
part "stand-in images" "$COMPOSE_DIR/standins/build-standins.sh" temurin kafka zipkin
part "project jars" package
part "project images" "$COMPOSE_DIR/build-images.sh"
part "compose smoke test" smoke
log "containers CI part green in $(( $(date +%s) - T_ALL ))s"
