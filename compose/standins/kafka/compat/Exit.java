// Compatibility shim of the tracelab stand-in: Kafka 4.4 moved this class to
// org.apache.kafka.common.utils.internals; kafka-tools of an older release still
// calls the old name. Static methods resolve through the superclass.
package org.apache.kafka.common.utils;

public class Exit extends org.apache.kafka.common.utils.internals.Exit {
}
