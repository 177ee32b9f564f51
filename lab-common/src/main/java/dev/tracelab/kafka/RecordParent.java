// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.kafka;

import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The consumer side of the Kafka boundary: which context a record's process span is a child of. The
 * fixed variant ({@code RecordHeadersParent}) extracts it from the record headers; the broken one
 * ({@code broken-variants/.../IgnoredRecordHeaders}) ignores them.
 */
public interface RecordParent extends AutoCloseable {

  Context parentOf(ConsumerRecord<String, String> record);

  /**
   * Sets the process span's lineage on {@code builder}: by default its parent is {@link #parentOf}.
   * A linked implementation starts a new trace and adds a link instead.
   */
  default SpanBuilder lineage(SpanBuilder builder, ConsumerRecord<String, String> record) {
    return builder.setParent(parentOf(record));
  }

  /**
   * The context the consumer's poll loop runs in for its whole life, made current once on the
   * loop's thread before the first poll; by default {@code current} unchanged.
   */
  default Context loopContext(Context current) {
    return current;
  }

  /** Called once when the poll loop ends. */
  @Override
  default void close() {}
}
