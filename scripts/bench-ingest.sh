#!/usr/bin/env bash
# Auditor ingest benchmark: OTLP protobuf decode + trace assembly + orphan analysis, one core.
# Usage: scripts/bench-ingest.sh [seconds=20] [maxTraces=10000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/lab" help >/dev/null            # builds the project on first use
pin=(); command -v taskset >/dev/null 2>&1 && pin=(taskset -c 0)
exec "${pin[@]}" java -XX:ActiveProcessorCount=1 -Xmx1g -cp "$root/lab-cli/target/lab-cli.jar:$root/lab-cli/target/lib/*" \
  dev.tracelab.auditor.bench.IngestBenchmark "${1:-20}" "${2:-10000}"
