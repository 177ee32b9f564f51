#!/usr/bin/env bash
# ci-containers.sh — the containers part of tracelab's CI (called by .ci/run, as root):
#   1. Docker engine       compose/standins/ensure-docker.sh (installs docker.io if missing, starts dockerd)
#   2. collector binary    compose/collector/build-collector.sh (cached by manifest sha256: instant when built)
#   3. stand-in images     compose/standins/build-standins.sh temurin kafka zipkin otelcol
#                          (cached; registry-less CI only; otelcol from the binary of step 2)
#   4. project jars        ./mvnw -q -B -DskipTests package   (CI_SKIP_PACKAGE=1: use the jars already built)
#   5. project images      compose/build-images.sh
#   6. compose smoke test  docker-compose up -d, one POST /orders through the gateway, the connected
#                          trace found in Zipkin (/api/v2/trace/{id}: exactly 6 spans, one chain)
#                          and in the auditor (one trace), then down. On failure: the logs of the
#                          failing containers, exit 1.
#   7. tier smoke test     the same stack + docker-compose.tier.yml (otel-lb, tail-a, tail-b; the
#                          room's decision_wait 10 s, baseline 0% here): one `fail: true` order and one
#                          plain order; once both are decided (deadline, polled): the error trace whole
#                          in Zipkin (6 spans, the consumer span in error), the plain one NOT in Zipkin
#                          (dropped, and no direct export), both orders complete in the auditor (6 spans
#                          each), the tails' new_trace_id_received summing to 2. Then down; on failure
#                          the containers' logs, exit 1.
# Afterwards `./mvnw verify` runs both suites; ContainerLabTest uses the images built here.
# Each part prints its wall time. Knobs: SMOKE_PROJECT (tracelab-smoke), SMOKE_TIMEOUT (180 s),
# SMOKE_*_PORT host ports (defaults away from the workshop ones so a running stack is untouched);
# TIER_SMOKE_PROJECT (tracelab-tier-smoke), TIER_SMOKE_*_PORT (defaults distinct from the workshop's
# and the first smoke's), TIER_DECISION_WAIT (10s), TIER_SMOKE=0 skips part 7.
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
# the compose project under test: PROJECT + FILES (the tier smoke sets both in its subshell)
PROJECT=$SMOKE_PROJECT
FILES=(-f "$COMPOSE_DIR/docker-compose.yml")
dc() { "${COMPOSE[@]}" -p "$PROJECT" --project-directory "$COMPOSE_DIR" "${FILES[@]}" "$@"; }

collector_bin() {  # the collector binary for the otelcol stand-in (cached by manifest sha256)
  OTELCOL_BIN=$("$COMPOSE_DIR/collector/build-collector.sh" | tail -1)
  [ -x "$OTELCOL_BIN" ] || { log "build-collector.sh gave no binary"; return 1; }
  export OTELCOL_BIN
  log "collector binary: $OTELCOL_BIN"
}

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
        running/none/*) ;;   # no HEALTHCHECK (the collectors: scratch image); the caller probes them
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

# await_auditor_connected ORDER_ID: within 30 s, the auditor (API on $AUDITOR_API_PORT) holds the
# order as one trace of 6 spans
await_auditor_connected() {
  local deadline=$(( $(date +%s) + 30 ))
  until curl -sf "http://127.0.0.1:$AUDITOR_API_PORT/api/orders/$1" \
        | python3 -c 'import json,sys; t=json.load(sys.stdin)["traces"]; sys.exit(0 if len(t)==1 and len(t[0]["spans"])==6 else 1)' 2>/dev/null; do
    [ "$(date +%s)" -ge "$deadline" ] && { log "auditor: order $1 is not one trace of 6 spans"; return 1; }
    sleep 1
  done
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
  await_auditor_connected "$order_id" || return 1
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

# ---------------------------------------------------------------- tier smoke test
# Runs in a subshell: its own project, compose files and host ports.
tier_smoke() (
  PROJECT=${TIER_SMOKE_PROJECT:-tracelab-tier-smoke}
  FILES=(-f "$COMPOSE_DIR/docker-compose.yml" -f "$COMPOSE_DIR/docker-compose.tier.yml")
  export GATEWAY_PORT=${TIER_SMOKE_GATEWAY_PORT:-18180} WORKER_PORT=${TIER_SMOKE_WORKER_PORT:-18181} \
         CONSUMER_PORT=${TIER_SMOKE_CONSUMER_PORT:-18182} AUDITOR_API_PORT=${TIER_SMOKE_AUDITOR_API_PORT:-18190} \
         AUDITOR_OTLP_PORT=${TIER_SMOKE_AUDITOR_OTLP_PORT:-14418} ZIPKIN_PORT=${TIER_SMOKE_ZIPKIN_PORT:-19511} \
         KAFKA_HOST_PORT=${TIER_SMOKE_KAFKA_HOST_PORT:-29292} \
         LB_HEALTH_HOST_PORT=${TIER_SMOKE_LB_HEALTH_PORT:-13233} LB_METRICS_HOST_PORT=${TIER_SMOKE_LB_METRICS_PORT:-18888} \
         TAIL_A_METRICS_HOST_PORT=${TIER_SMOKE_TAIL_A_METRICS_PORT:-28988} \
         TAIL_B_METRICS_HOST_PORT=${TIER_SMOKE_TAIL_B_METRICS_PORT:-38988}
  # the room's decision_wait (the overlay's default, 10s) unless told otherwise; no baseline here,
  # so the plain order's trace MUST be dropped (Zipkin shows only what the samplers kept)
  export TIER_DECISION_WAIT=${TIER_DECISION_WAIT:-10s} TIER_SAMPLING_PERCENTAGE=0
  local t0; t0=$(date +%s)
  if ! { smoke_up && tier_wait_collectors && tier_request; }; then
    log "tier smoke test FAILED"
    dump_failing
    dc down -v --remove-orphans >/dev/null 2>&1 || true
    return 1
  fi
  dc down -v --remove-orphans
  log "tier smoke test green in $(( $(date +%s) - t0 ))s"
)

tier_wait_collectors() {  # each collector logged that it runs, and the LB's health_check answers
  local deadline=$(( $(date +%s) + 60 )) svc id pending
  while :; do
    pending=""
    for svc in otel-lb tail-a tail-b; do
      id=$(dc ps -q "$svc")
      { [ -n "$id" ] && docker logs "$id" 2>&1 | grep -q 'Everything is ready'; } || pending="$pending $svc"
    done
    curl -sf -o /dev/null "http://127.0.0.1:$LB_HEALTH_HOST_PORT/" || pending="$pending otel-lb(health)"
    [ -z "$pending" ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then log "collectors not ready after 60s:$pending"; return 1; fi
    sleep 1
  done
  log "collectors ready (otel-lb health_check UP)"
}

post_order() {  # post_order JSON -> prints "traceId orderId"
  local body status
  body=$(curl -sS -o /dev/stdout -w '\n%{http_code}' -X POST "http://127.0.0.1:$GATEWAY_PORT/orders" \
         -H 'Content-Type: application/json' -d "$1") || { log "POST /orders failed"; return 1; }
  status=${body##*$'\n'}; body=${body%$'\n'*}
  [ "$status" = 202 ] || { log "POST /orders $1 answered $status: $body"; return 1; }
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["traceId"], d["orderId"])' <<<"$body"
}

tail_metrics() {  # -> "received_a received_b sampled not_sampled" (tail-sampling self-metrics)
  local a b
  a=$(curl -sf "http://127.0.0.1:$TAIL_A_METRICS_HOST_PORT/metrics" || true)
  b=$(curl -sf "http://127.0.0.1:$TAIL_B_METRICS_HOST_PORT/metrics" || true)
  TAIL_A=$a TAIL_B=$b python3 - <<'PY'
import os, re
def total(text, name, label=None):
    n = 0.0
    for line in text.splitlines():
        m = re.match(r'^' + name + r'(?:_total)?(\{[^}]*\})?\s+(\S+)', line)
        if m and (label is None or label in (m.group(1) or "")):
            n += float(m.group(2))
    return int(n)
a, b = os.environ["TAIL_A"], os.environ["TAIL_B"]
p = "otelcol_processor_tail_sampling_"
print(total(a, p + "new_trace_id_received"), total(b, p + "new_trace_id_received"),
      sum(total(t, p + "global_count_traces_sampled", 'sampled="true"') for t in (a, b)),
      sum(total(t, p + "global_count_traces_sampled", 'sampled="false"') for t in (a, b)))
PY
}

tier_request() {
  local err plain err_trace err_order plain_trace plain_order wait_s deadline zipkin n m t_sent ra rb ns nn order
  err=$(post_order '{"sku":"TIER-ERR","quantity":1,"fail":true}') || return 1
  plain=$(post_order '{"sku":"TIER-OK","quantity":1}') || return 1
  t_sent=$(date +%s)
  read -r err_trace err_order <<<"$err"; read -r plain_trace plain_order <<<"$plain"
  log "error order $err_order (trace $err_trace), plain order $plain_order (trace $plain_trace) accepted"
  # decision_wait in seconds (10s, 1m, 500ms ...); then poll until both traces are decided
  wait_s=$(python3 -c 'import re,sys
m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)", sys.argv[1].strip())
print(int(float(m.group(1)) * {"ms": .001, "s": 1, "m": 60, "h": 3600}[m.group(2)]) + 1 if m else 30)' "$TIER_DECISION_WAIT")
  deadline=$(( t_sent + wait_s + ${TIER_SMOKE_MARGIN:-60} ))
  log "waiting for the tail-sampling decisions (decision_wait $TIER_DECISION_WAIT, deadline $(( deadline - t_sent ))s)"
  while :; do
    m=$(tail_metrics)
    read -r ra rb ns nn <<<"$m"
    zipkin=$(curl -s "http://127.0.0.1:$ZIPKIN_PORT/api/v2/trace/$err_trace" || true)
    n=$(python3 -c 'import json,sys
try: print(len(json.loads(sys.stdin.read())))
except Exception: print(0)' <<<"$zipkin")
    [ "$n" -ge 6 ] && [ $(( ns + nn )) -ge 2 ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "after $(( $(date +%s) - t_sent ))s: Zipkin has $n span(s) of the error trace; tails: received a=$ra b=$rb, sampled=$ns not-sampled=$nn"
      return 1
    fi
    sleep 1
  done
  log "decided after $(( $(date +%s) - t_sent ))s: tails received a=$ra b=$rb trace id(s), sampled=$ns, not sampled=$nn"
  [ $(( ra + rb )) -eq 2 ] || { log "new_trace_id_received a+b = $(( ra + rb )), expected 2"; return 1; }
  { [ "$ns" -eq 1 ] && [ "$nn" -eq 1 ]; } || { log "expected 1 trace sampled and 1 not sampled, got $ns / $nn"; return 1; }
  # the error trace: whole (the six spans of SPEC §2, one chain), the consumer span in error
  ZIPKIN_JSON=$zipkin python3 - "$err_trace" <<'PY' || return 1
import json, os, sys
spans = json.loads(os.environ["ZIPKIN_JSON"]); trace_id = sys.argv[1]
ids = {s["id"] for s in spans}
shape = sorted((s["localEndpoint"]["serviceName"], s.get("kind", "INTERNAL")) for s in spans)
expected = sorted([("gateway-svc", "SERVER"), ("gateway-svc", "CLIENT"), ("worker-svc", "SERVER"),
                   ("worker-svc", "INTERNAL"), ("worker-svc", "PRODUCER"), ("consumer-svc", "CONSUMER")])
errors = [s["localEndpoint"]["serviceName"] for s in spans if "error" in s.get("tags", {})]
problems = []
if len(spans) != 6: problems.append(f"{len(spans)} spans, expected 6")
if shape != expected: problems.append(f"services/kinds {shape}")
if len([s for s in spans if "parentId" not in s]) != 1: problems.append("not exactly one root")
if any(s.get("parentId") not in ids for s in spans if "parentId" in s): problems.append("a parent outside the trace")
if any(s["traceId"] != trace_id for s in spans): problems.append("foreign trace id")
if errors != ["consumer-svc"]: problems.append(f"spans in error: {errors}")
if problems:
    print("[ci-containers] Zipkin error trace wrong: " + "; ".join(problems)); sys.exit(1)
print(f"[ci-containers] Zipkin: error trace {trace_id} kept whole: 6 spans, error on consumer-svc")
PY
  # the plain trace: dropped by the sampler, and it reached Zipkin by no other way
  n=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ZIPKIN_PORT/api/v2/trace/$plain_trace")
  [ "$n" = 404 ] || { log "Zipkin answers $n for the plain trace $plain_trace (expected 404: dropped)"; return 1; }
  log "Zipkin: plain trace $plain_trace absent (dropped by the tail sampler)"
  # the auditor, fed by the LB before sampling, has both orders complete
  for order in "$err_order" "$plain_order"; do
    await_auditor_connected "$order" || return 1
  done
  log "auditor: orders $err_order and $plain_order are one trace of 6 spans each (100%, before sampling)"
}

T_ALL=$(date +%s)
trap 'summary' EXIT
part "docker engine" "$COMPOSE_DIR/standins/ensure-docker.sh"
part "collector binary" collector_bin
part "stand-in images" "$COMPOSE_DIR/standins/build-standins.sh" temurin kafka zipkin otelcol
part "project jars" package
part "project images" "$COMPOSE_DIR/build-images.sh"
part "compose smoke test" smoke
if [ "${TIER_SMOKE:-1}" != 0 ]; then part "tier smoke test" tier_smoke; fi
log "containers CI part green in $(( $(date +%s) - T_ALL ))s"
