package dev.tracelab.kafka;

import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The consumer side of the Kafka boundary: which context a record's process span is a child of.
 * The fixed variant ({@code RecordHeadersParent}) extracts it from the record headers; the broken
 * one ({@code broken-variants/.../IgnoredRecordHeaders}) ignores them.
 */
public interface RecordParent {

  Context parentOf(ConsumerRecord<String, String> record);

  /**
   * Sets the process span's lineage on {@code builder}: by default its parent is {@link
   * #parentOf}. A linked implementation starts a new trace and adds a link instead.
   */
  default SpanBuilder lineage(SpanBuilder builder, ConsumerRecord<String, String> record) {
    return builder.setParent(parentOf(record));
  }
}
