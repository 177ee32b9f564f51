// Compatibility shim of the tracelab stand-in: Kafka 4.4 moved this class to
// org.apache.kafka.common.utils.internals; kafka-tools of an older release still
// uses the old name.
package org.apache.kafka.common.utils;

public class LogContext extends org.apache.kafka.common.utils.internals.LogContext {
    public LogContext() { super(); }
    public LogContext(String logPrefix) { super(logPrefix); }
}
