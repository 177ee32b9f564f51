#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The memory attack on the auditor: rounds of 16 concurrent gzip OTLP requests, each inflating to
# just under the 32 MiB inflate limit, against an auditor with a 1 GiB heap; once with admission
# and caps off ("unbounded", as before), once as shipped ("bounded"). Prints answers by status,
# peak heap used, and whether the auditor still answers. The harness lives in lab-auditor's test
# sources. Usage: scripts/memory-attack.sh [concurrent=16] [rounds=3] [modes="unbounded bounded"]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/lab-auditor/target/bench.classpath"
(cd "$root" && ./mvnw -q -B -ntp -pl lab-auditor -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test)
for mode in ${3:-unbounded bounded}; do
  java -Xmx1g -XX:+ExitOnOutOfMemoryError -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$root/lab-auditor/target/test-classes:$root/lab-auditor/target/classes:$(cat "$cp_file")" \
    dev.tracelab.auditor.bench.MemoryAttack "$mode" "${1:-16}" "${2:-3}" \
    || echo "mode $mode: the JVM died (exit $?): out of memory"
  echo
done
