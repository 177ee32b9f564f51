#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kafka-server-start.sh of the tracelab stand-in image (foreground only).
if [ $# -lt 1 ]; then echo "USAGE: $0 server.properties [--override property=value]*"; exit 1; fi
base_dir=$(cd "$(dirname "$0")/.." && pwd)
export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=file:$base_dir/config/log4j2.yaml}
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}
[ "${1:-}" = "-daemon" ] && shift
exec "$base_dir/bin/kafka-run-class.sh" -name kafkaServer kafka.Kafka "$@"
