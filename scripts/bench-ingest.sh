#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Auditor ingest benchmark: OTLP protobuf decode + trace assembly + orphan analysis, one core, in
# process (no HTTP): spans/s and spans per CPU-second per round, heap after GC. The auditor over
# OTLP/HTTP next to the lab collector, each on one core: ./lab bench ingest (docs/scale.md).
# The benchmark lives in lab-auditor's test sources (not shipped in the auditor's jar); this
# compiles them and runs it on the test classpath.
# Usage: scripts/bench-ingest.sh [seconds per phase=20] [maxTraces=10000] [complete|quiet|both]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/lab-auditor/target/bench.classpath"
(cd "$root" && ./mvnw -q -B -ntp -pl lab-auditor -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test)
pin=(); command -v taskset >/dev/null 2>&1 && pin=(taskset -c 0)
exec "${pin[@]}" java -XX:ActiveProcessorCount=1 -Xmx1g \
  -cp "$root/lab-auditor/target/test-classes:$root/lab-auditor/target/classes:$(cat "$cp_file")" \
  dev.tracelab.auditor.bench.IngestBenchmark "${1:-20}" "${2:-10000}" "${3:-both}"
