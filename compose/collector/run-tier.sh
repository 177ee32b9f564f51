#!/usr/bin/env bash
# Manual runner for the tracelab telemetry tier, all as local processes on loopback:
#   1 LB collector (lb.yaml) + 2 tail-sampling collectors (tail.yaml, instances a and b)
#   + Zipkin (Maven Central exec jar) + a stub auditor (python, counts what it receives).
#
#   compose/collector/run-tier.sh           start, print endpoints, stay up until Ctrl-C
#   compose/collector/run-tier.sh --smoke   start, send test traces, verify, stop; exit 0 = pass
#
# Everything started here is stopped on exit (trap). Uses a short decision_wait (2s).
# Env knobs (defaults): TIER_DECISION_WAIT=2s, TIER_SAMPLING_PERCENTAGE=0 in --smoke
# (makes "normal traces are dropped" deterministic) else 1, TIER_BASE_PORT=0 (0 = the
# config defaults: LB 4317/4318, tails 24317/34317, ...; N = use ports N+0..N+13),
# RUN_DIR (logs + tail files; default a new /tmp/tracelab-tier.XXXX), TRACELAB_CACHE,
# ZIPKIN_VERSION=3.6.1, AUDITOR_OTLP_ENDPOINT (set = use that auditor, no stub).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE="${1:-serve}"
export HOME="${HOME:-/root}"
ZIPKIN_VERSION="${ZIPKIN_VERSION:-3.6.1}"
RUN_DIR="${RUN_DIR:-$(mktemp -d /tmp/tracelab-tier.XXXXXX)}"
mkdir -p "$RUN_DIR"
H=127.0.0.1

log() { printf '[run-tier] %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- ports
B="${TIER_BASE_PORT:-0}"
if [ "$B" = 0 ]; then
  LB_GRPC=4317 LB_HTTP=4318 LB_HEALTH=13133 LB_METRICS=8888
  TA_GRPC=24317 TA_HEALTH=23133 TA_METRICS=28888
  TB_GRPC=34317 TB_HEALTH=33133 TB_METRICS=38888
  ZIPKIN_PORT=9411 AUDITOR_PORT=14318
else
  LB_GRPC=$B LB_HTTP=$((B+1)) LB_HEALTH=$((B+2)) LB_METRICS=$((B+3))
  TA_GRPC=$((B+4)) TA_HEALTH=$((B+5)) TA_METRICS=$((B+6))
  TB_GRPC=$((B+7)) TB_HEALTH=$((B+8)) TB_METRICS=$((B+9))
  ZIPKIN_PORT=$((B+10)) AUDITOR_PORT=$((B+11))
fi
STUB_AUDITOR=1
if [ -n "${AUDITOR_OTLP_ENDPOINT:-}" ]; then STUB_AUDITOR=0; else AUDITOR_OTLP_ENDPOINT="http://$H:$AUDITOR_PORT"; fi
for p in $LB_GRPC $LB_HTTP $LB_HEALTH $LB_METRICS $TA_GRPC $TA_HEALTH $TA_METRICS $TB_GRPC $TB_HEALTH $TB_METRICS $ZIPKIN_PORT; do
  if (exec 3<>/dev/tcp/$H/$p) 2>/dev/null; then log "ERROR: port $p on $H is already in use (set TIER_BASE_PORT)"; exit 1; fi
done

# ---------------------------------------------------------------- binaries
BIN="$("$HERE/build-collector.sh" | tail -1)"
ZIPKIN_JAR="$(ZIPKIN_VERSION="$ZIPKIN_VERSION" "$HERE/fetch-zipkin.sh" | tail -1)"

# ---------------------------------------------------------------- process control
PIDS=()
cleanup() {
  local rc=$?
  # reverse start order: LB first (so it does not retry into stopped tails), Zipkin last
  local rev=() i
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do rev+=("${PIDS[$i]}"); done
  for pid in "${rev[@]}"; do
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  log "stopped ${#PIDS[@]} processes; logs in $RUN_DIR"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() {  # url timeout_s
  local url=$1 deadline=$(( $(date +%s) + $2 ))
  until curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "ERROR: $url not up after $2s"; return 1; }
    sleep 0.1
  done
}

DECISION_WAIT="${TIER_DECISION_WAIT:-2s}"
if [ "$MODE" = "--smoke" ]; then PCT="${TIER_SAMPLING_PERCENTAGE:-0}"; else PCT="${TIER_SAMPLING_PERCENTAGE:-1}"; fi
TAIL_A_FILE="$RUN_DIR/tail-a.json"; TAIL_B_FILE="$RUN_DIR/tail-b.json"; AUDIT_FILE="$RUN_DIR/auditor.hex"
rm -f "$TAIL_A_FILE" "$TAIL_B_FILE" "$AUDIT_FILE"

T0=$(now_ms)
# Zipkin first (JVM start is the slow part), in-memory storage, loopback only.
java -Xms64m -Xmx256m -jar "$ZIPKIN_JAR" --armeria.ports[0].port="$ZIPKIN_PORT" --armeria.ports[0].ip=$H \
  --armeria.ports[0].protocols=http >"$RUN_DIR/zipkin.log" 2>&1 &
PIDS+=($!)

if [ "$STUB_AUDITOR" = 1 ]; then
  # Stub auditor: accepts OTLP/HTTP POSTs on /v1/traces and appends each body as hex
  # (protobuf: trace ids appear as their raw 16 bytes) so the smoke test can check the
  # 100% copy.
  python3 - "$H" "$AUDITOR_PORT" "$AUDIT_FILE" >"$RUN_DIR/auditor.log" 2>&1 <<'PY' &
import sys, http.server
host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "a") as f: f.write(body.hex() + "\n")
        self.send_response(200); self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer((host, port), H).serve_forever()
PY
  PIDS+=($!)
fi

start_tail() {  # name grpc health metrics file
  env TAIL_NAME="$1" TAIL_OTLP_GRPC_PORT="$2" TAIL_HEALTH_PORT="$3" TAIL_METRICS_PORT="$4" \
      TAIL_FILE="$5" TAIL_DECISION_WAIT="$DECISION_WAIT" TAIL_SAMPLING_PERCENTAGE="$PCT" \
      ZIPKIN_ENDPOINT="http://$H:$ZIPKIN_PORT/api/v2/spans" BIND_HOST=$H \
      "$BIN" --config="$HERE/tail.yaml" >"$RUN_DIR/tail-$1.log" 2>&1 &
  PIDS+=($!)
}
start_tail a "$TA_GRPC" "$TA_HEALTH" "$TA_METRICS" "$TAIL_A_FILE"
start_tail b "$TB_GRPC" "$TB_HEALTH" "$TB_METRICS" "$TAIL_B_FILE"
# LB last, once both tails answer (its gRPC clients would otherwise log connection
# refused while the tails bind; harmless, they reconnect).
wait_http "http://$H:$TA_HEALTH/" 30 && wait_http "http://$H:$TB_HEALTH/" 30 \
  || { tail -20 "$RUN_DIR"/tail-*.log >&2; exit 1; }
env LB_OTLP_GRPC_PORT="$LB_GRPC" LB_OTLP_HTTP_PORT="$LB_HTTP" LB_HEALTH_PORT="$LB_HEALTH" \
    LB_METRICS_PORT="$LB_METRICS" TAIL_A_ENDPOINT="$H:$TA_GRPC" TAIL_B_ENDPOINT="$H:$TB_GRPC" \
    AUDITOR_OTLP_ENDPOINT="$AUDITOR_OTLP_ENDPOINT" BIND_HOST=$H \
    "$BIN" --config="$HERE/lb.yaml" >"$RUN_DIR/lb.log" 2>&1 &
PIDS+=($!)

wait_http "http://$H:$LB_HEALTH/" 30 && wait_http "http://$H:$TA_HEALTH/" 30 && wait_http "http://$H:$TB_HEALTH/" 30 \
  || { tail -20 "$RUN_DIR"/lb.log "$RUN_DIR"/tail-*.log >&2; exit 1; }
T_COLL=$(( $(now_ms) - T0 ))
wait_http "http://$H:$ZIPKIN_PORT/health" 90 || { tail -30 "$RUN_DIR/zipkin.log" >&2; exit 1; }
T_ALL=$(( $(now_ms) - T0 ))

cat >&2 <<EOF
[run-tier] tier up: collectors healthy after ${T_COLL} ms, Zipkin after ${T_ALL} ms (decision_wait=$DECISION_WAIT, probabilistic=$PCT%)
  LB        OTLP gRPC $H:$LB_GRPC   OTLP/HTTP http://$H:$LB_HTTP/v1/traces
            health http://$H:$LB_HEALTH/   metrics http://$H:$LB_METRICS/metrics
  tail-a    OTLP gRPC $H:$TA_GRPC  health http://$H:$TA_HEALTH/  metrics http://$H:$TA_METRICS/metrics  file $TAIL_A_FILE
  tail-b    OTLP gRPC $H:$TB_GRPC  health http://$H:$TB_HEALTH/  metrics http://$H:$TB_METRICS/metrics  file $TAIL_B_FILE
  Zipkin    http://$H:$ZIPKIN_PORT/zipkin/   API http://$H:$ZIPKIN_PORT/api/v2/trace/{id}
  auditor   $AUDITOR_OTLP_ENDPOINT$([ "$STUB_AUDITOR" = 1 ] && echo " (stub, bodies in $AUDIT_FILE)")
  logs      $RUN_DIR
EOF

if [ "$MODE" != "--smoke" ]; then
  log "press Ctrl-C to stop"
  while sleep 3600; do :; done
fi

# ================================================================ smoke test
FAIL=0
ok()  { log "PASS: $*"; }
bad() { log "FAIL: $*"; FAIL=1; }
hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

NOW_NS=$(( $(date +%s) * 1000000000 ))
span_json() {  # trace span parent name start_ns end_ns status(0|2)
  local parent=""; [ -n "$3" ] && parent="\"parentSpanId\":\"$3\","
  printf '{"traceId":"%s","spanId":"%s",%s"name":"%s","kind":2,"startTimeUnixNano":"%s","endTimeUnixNano":"%s","status":{"code":%s}}' \
    "$1" "$2" "$parent" "$4" "$5" "$6" "$7"
}
post() {  # service spans-json-list
  local body="{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"$1\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"tracelab-smoke\"},\"spans\":[$2]}]}]}"
  curl -fsS --max-time 5 -H 'Content-Type: application/json' -d "$body" "http://$H:$LB_HTTP/v1/traces" >/dev/null
}

# 10 error traces, 2 slow (6 s > 5000 ms threshold) and 10 fast normal traces, 2 spans
# each. Roots and children are sent in SEPARATE requests from different "services",
# mixing all traces in each request: the LB has to regroup them by trace id.
declare -A KIND ROOT
ROOTS=""; CHILDREN=""
for i in $(seq 1 22); do
  t=$(hex 16); r=$(hex 8); c=$(hex 8)
  if [ "$i" -le 10 ]; then k=error; dur=20000000; st=2
  elif [ "$i" -le 12 ]; then k=slow; dur=6000000000; st=0
  else k=normal; dur=10000000; st=0; fi
  KIND[$t]=$k; ROOT[$t]=$r
  s=$(( NOW_NS - dur - 1000000 ))
  ROOTS+="${ROOTS:+,}$(span_json "$t" "$r" "" "GET /order" "$s" "$(( s + dur ))" 0)"
  CHILDREN+="${CHILDREN:+,}$(span_json "$t" "$c" "$r" "process-order" "$(( s + 1000 ))" "$(( s + dur - 1000 ))" "$st")"
done
post smoke-gateway "$ROOTS" && post smoke-worker "$CHILDREN" && ok "22 traces (44 spans) accepted by LB OTLP/HTTP" || bad "LB rejected the test spans"

ERR_T=""; NORM_T=""
for t in "${!KIND[@]}"; do
  [ "${KIND[$t]}" = error ] && [ -z "$ERR_T" ] && ERR_T=$t
  [ "${KIND[$t]}" = normal ] && [ -z "$NORM_T" ] && NORM_T=$t
done
DW_S=$(echo "$DECISION_WAIT" | sed 's/s$//')
sleep "$(( ${DW_S%.*} + 4 ))"   # decision_wait + batch (1s) + file flush (1s) + slack

# Late spans: one for an error trace and one for a normal trace, after their decisions.
# With the decision cache, the first is forwarded at once, the second dropped at once.
LATE_E=$(hex 8); LATE_N=$(hex 8)
post smoke-consumer "$(span_json "$ERR_T" "$LATE_E" "${ROOT[$ERR_T]}" late-consume "$NOW_NS" "$(( NOW_NS + 1000000 ))" 0),$(span_json "$NORM_T" "$LATE_N" "${ROOT[$NORM_T]}" late-consume "$NOW_NS" "$(( NOW_NS + 1000000 ))" 0)"
sleep 3

# (a) Zipkin has every error and slow trace, none of the normal ones (probabilistic 0%)
zip_ok=0; zip_bad=0
for t in "${!KIND[@]}"; do
  code=$(curl -s -o "$RUN_DIR/z.json" -w '%{http_code}' --max-time 5 "http://$H:$ZIPKIN_PORT/api/v2/trace/$t")
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$RUN_DIR/z.json" 2>/dev/null || echo 0)
  case "${KIND[$t]}" in
    error|slow) if [ "$code" = 200 ] && [ "$n" -ge 2 ]; then zip_ok=$((zip_ok+1)); else zip_bad=$((zip_bad+1)); log "  missing in Zipkin: ${KIND[$t]} $t (HTTP $code, $n spans)"; fi ;;
    normal) if [ "$PCT" = 0 ] && [ "$code" = 200 ]; then zip_bad=$((zip_bad+1)); log "  unexpected in Zipkin: normal $t"; fi ;;
  esac
done
[ "$zip_bad" = 0 ] && ok "Zipkin: $zip_ok/12 error+slow traces found with all spans$([ "$PCT" = 0 ] && echo ', 0/10 normal traces')" || bad "Zipkin check ($zip_bad problems)"

n=$(curl -s --max-time 5 "http://$H:$ZIPKIN_PORT/api/v2/trace/$ERR_T" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 3 ] && ok "late span of a sampled trace forwarded (decision cache): error trace has 3 spans in Zipkin" \
             || bad "late span of sampled trace: expected 3 spans in Zipkin, got $n"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$H:$ZIPKIN_PORT/api/v2/trace/$NORM_T")
[ "$code" = 404 ] || [ "$PCT" != 0 ] && ok "late span of a dropped trace dropped too (Zipkin HTTP $code)" || bad "late span of dropped trace reached Zipkin"

# (b) trace ids in the two tail files are disjoint
python3 - "$TAIL_A_FILE" "$TAIL_B_FILE" > "$RUN_DIR/files.txt" <<'PY' || true
import json, sys
sets = []
for p in sys.argv[1:]:
    ids = set()
    try:
        for line in open(p):
            if line.strip():
                for rs in json.loads(line).get("resourceSpans", []):
                    for ss in rs.get("scopeSpans", []):
                        for s in ss.get("spans", []):
                            ids.add(s["traceId"].lower())
    except FileNotFoundError:
        pass
    sets.append(ids)
print(len(sets[0]), len(sets[1]), len(sets[0] & sets[1]), " ".join(sorted(sets[0] | sets[1])))
PY
read -r NA NB NBOTH ALLIDS < "$RUN_DIR/files.txt" || true
missing=0; for t in "${!KIND[@]}"; do
  [ "${KIND[$t]}" = normal ] && continue
  case " $ALLIDS " in *" $t "*) ;; *) missing=$((missing+1));; esac
done
if [ "${NBOTH:-1}" = 0 ] && [ "$missing" = 0 ] && [ "${NA:-0}" -gt 0 ] && [ "${NB:-0}" -gt 0 ]; then
  ok "tail files: tail-a has $NA trace ids, tail-b has $NB, 0 in both; all 12 sampled traces present"
else bad "tail files: a=$NA b=$NB both=$NBOTH missing=$missing"; fi

# (c) tail-sampling counters on the tails' Prometheus endpoints
for p in $TA_METRICS $TB_METRICS; do curl -fsS --max-time 5 "http://$H:$p/metrics"; done > "$RUN_DIR/tail-metrics.txt" || true
grep -o '^otelcol_processor_tail_sampling_[a-z_]*' "$RUN_DIR/tail-metrics.txt" | sort -u > "$RUN_DIR/tail-metric-names.txt"
log "tail-sampling metrics exposed: $(tr '\n' ' ' < "$RUN_DIR/tail-metric-names.txt")"
SAMPLED=$(awk '/^otelcol_processor_tail_sampling_global_count_traces_sampled\{/ && /sampled="true"/ {s+=$NF} END {print s+0}' "$RUN_DIR/tail-metrics.txt")
NOTS=$(awk '/^otelcol_processor_tail_sampling_global_count_traces_sampled\{/ && /sampled="false"/ {s+=$NF} END {print s+0}' "$RUN_DIR/tail-metrics.txt")
if [ -s "$RUN_DIR/tail-metric-names.txt" ] && [ "$SAMPLED" = 12 ]; then
  ok "metrics: global_count_traces_sampled sampled=true $SAMPLED, sampled=false $NOTS (both tails)"
else bad "metrics: sampled=true $SAMPLED (want 12), sampled=false $NOTS"; fi

# (d) the auditor got 100% (all 22 trace ids, sampled or not)
if [ "$STUB_AUDITOR" = 1 ]; then
  got=0; for t in "${!KIND[@]}"; do grep -q "$t" "$AUDIT_FILE" 2>/dev/null && got=$((got+1)); done
  [ "$got" = 22 ] && ok "auditor stub received all 22 trace ids (unsampled copy)" || bad "auditor stub received $got/22 trace ids"
fi

if [ "$FAIL" = 0 ]; then log "SMOKE OK"; else log "SMOKE FAILED (logs in $RUN_DIR)"; fi
exit "$FAIL"
