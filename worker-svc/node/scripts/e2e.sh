#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Manual end-to-end check: Java gateway -> this Node worker -> Kafka -> Java consumer, traced into
# the lab auditor, once per variant. Needs the Java build (./mvnw -B -ntp -DskipTests package) and
# `npm ci` here. Everything runs on loopback, on the ports below (override with E2E_PORT_BASE).
# Prints each order's fragments as the auditor sees them; exits 1 unless fixed gives one 6-span
# trace and broken gives {POST /orders, POST, POST /work} + {order.prepare, send orders, process orders}.
set -euo pipefail
node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$node_dir/../.." && pwd)"
base="${E2E_PORT_BASE:-19300}"
kafka=$((base + 92)) controller=$((base + 93)) otlp=$((base + 18)) api=$((base + 90))
gateway=$((base + 80)) worker=$((base + 81)) consumer=$((base + 82))
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start() { # name, then the command; env comes from the caller
  local name="$1"; shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
wait_http() { # url
  for _ in $(seq 1 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "e2e: $1 did not answer" >&2; tail -n 20 "$work"/*.log >&2; return 1
}

cat >"$work/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$kafka,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$work/kafka-data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
cluster_id="$(node -e "console.log(require('node:crypto').randomBytes(16).toString('base64url'))")"
start kafka java -Xmx512m -XX:+UseSerialGC -cp "$root/lab-cli/target/lab-cli.jar:$root/lab-cli/target/lib/*" \
  dev.tracelab.env.KafkaBrokerMain "$work/server.properties" "$cluster_id"
BIND_HOST=127.0.0.1 AUDITOR_OTLP_PORT=$otlp AUDITOR_API_PORT=$api start auditor java -Xmx256m -jar "$root/lab-auditor/target/lab-auditor.jar"
(cd "$node_dir" && node --input-type=module -e "
  import kafkajs from 'kafkajs';
  const admin = new kafkajs.Kafka({ brokers: ['127.0.0.1:$kafka'], logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: 30 } }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();")
export OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$otlp" BIND_HOST=127.0.0.1 KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$kafka"
PORT=$gateway WORKER_URL="http://127.0.0.1:$worker" start gateway java -Xmx256m -jar "$root/gateway-svc/target/gateway-svc.jar"
PORT=$consumer start consumer java -Xmx256m -jar "$root/consumer-svc/target/consumer-svc.jar"
wait_http "http://127.0.0.1:$gateway/health"
wait_http "http://127.0.0.1:$consumer/health"

status=0
for variant in fixed broken; do
  (cd "$node_dir" && PORT=$worker TRACELAB_VARIANT=$variant exec node --import ./src/instrument.js src/main.js) >"$work/worker-$variant.log" 2>&1 &
  worker_pid=$!
  pids+=("$worker_pid")
  wait_http "http://127.0.0.1:$worker/health"
  order_id="$(curl -sf -X POST "http://127.0.0.1:$gateway/orders" -H 'content-type: application/json' \
    -d '{"sku":"ABC-1","quantity":2,"delayMs":50}' | node -e "process.stdin.on('data', d => console.log(JSON.parse(d).orderId))")"
  expected=$([ "$variant" = fixed ] && echo '6' || echo '3,3')
  shape=""
  for _ in $(seq 1 100); do
    shape="$(curl -s "http://127.0.0.1:$api/api/orders/$order_id" | node -e "
      let s = ''; process.stdin.on('data', d => s += d).on('end', () => {
        try { console.log(JSON.parse(s).traces.map(t => t.spans.length).sort().join(',')); } catch { console.log(''); }
      })")"
    [ "$shape" = "$expected" ] && break
    sleep 0.1
  done
  echo "== worker $variant, order $order_id: spans per trace [$shape] (expected [$expected])"
  curl -s "http://127.0.0.1:$api/api/orders/$order_id" | node -e "
    let s = ''; process.stdin.on('data', d => s += d).on('end', () => {
      for (const t of JSON.parse(s).traces) {
        console.log('  trace ' + t.traceId);
        for (const x of t.spans) console.log('    ' + [x.spanId, x.parentSpanId ?? '-', x.service, x.kind, x.name].join('  '));
      }
    })"
  [ "$shape" = "$expected" ] || status=1
  kill -TERM "$worker_pid"; wait "$worker_pid" || true
done
exit $status
