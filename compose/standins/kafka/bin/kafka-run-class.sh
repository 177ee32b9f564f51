#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kafka-run-class.sh of the tracelab stand-in image: a short re-implementation of
# upstream's launcher (classpath = libs/*, the same *_OPTS variables). No -daemon.
base_dir=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 1 ]; then
  echo "USAGE: $0 [-name servicename] [-loggc] classname [opts]"; exit 1
fi
while [ $# -gt 0 ]; do
  case "$1" in
    -name) shift 2 ;;
    -loggc) shift ;;
    -daemon) echo "kafka-run-class.sh (stand-in): -daemon is not supported, running in the foreground" >&2; shift ;;
    *) break ;;
  esac
done
CLASSPATH="${CLASSPATH:+$CLASSPATH:}$base_dir/libs/*"
LOG_DIR=${LOG_DIR:-$base_dir/logs}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx256M}
KAFKA_JVM_PERFORMANCE_OPTS=${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}
KAFKA_JMX_OPTS=${KAFKA_JMX_OPTS:--Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false}
if [ -n "${JMX_PORT:-}" ]; then
  KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.port=$JMX_PORT"
  [[ "$KAFKA_JMX_OPTS" == *rmi.port* ]] || KAFKA_JMX_OPTS="$KAFKA_JMX_OPTS -Dcom.sun.management.jmxremote.rmi.port=$JMX_PORT"
fi
KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=file:$base_dir/config/tools-log4j2.yaml}
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2086
exec "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS ${KAFKA_GC_LOG_OPTS:-} $KAFKA_JMX_OPTS \
  $KAFKA_LOG4J_OPTS "-Dkafka.logs.dir=$LOG_DIR" -cp "$CLASSPATH" ${KAFKA_OPTS:-} "$@"
