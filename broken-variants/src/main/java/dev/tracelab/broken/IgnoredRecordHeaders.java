// SPDX-License-Identifier: Apache-2.0

/*
 * DEFECT (kafka, consumer-svc): the consumer ignores the record headers. The producer did inject
 *   traceparent into them, but the process span is started with no parent (setNoParent), as code
 *   does when it "just wants a span per message".
 * SYMPTOM: the process span "process orders" (flow step 6) starts a NEW trace. One request = two
 *   traces: {POST /orders, POST, POST /work, order.prepare, send orders} and {process orders}.
 *   The auditor reports step 6 as an orphan root on consumer-svc: Kafka boundary (all consumer
 *   spans). With fail=true the ERROR span lands in that lone fragment, away from its request.
 * FIX: consumer-svc/src/main/java/dev/tracelab/consumer/RecordHeadersParent.java extracts the
 *   context from the record headers and makes it the process span's parent.
 * SWITCH: consumer-svc with TRACELAB_VARIANT=broken (CLI: --consumer broken; scenario broken-kafka).
 */
package dev.tracelab.broken;

import dev.tracelab.kafka.RecordParent;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.consumer.ConsumerRecord;

public enum IgnoredRecordHeaders implements RecordParent {
  INSTANCE;

  @Override
  public Context parentOf(ConsumerRecord<String, String> record) {
    return Context.root(); // THE BUG: record.headers() carries traceparent; nobody reads it
  }
}
