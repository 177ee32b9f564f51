// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import dev.tracelab.kafka.RecordParent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The Kafka boundary crossed by a LINK (docs/design.md §8): the process span starts a new trace (no
 * parent) and links to the producer's context extracted from the record headers, the pattern the
 * messaging semantic conventions describe for consumers. Not a defect: the request becomes two
 * traces joined by the link, and the auditor counts it linked, with no orphan.
 *
 * <p>When a link is the right lineage: one span handles records from many traces (batch
 * consumption, fan-in: a span has one parent but any number of links), or the work outlives the
 * request (a long-lived job that must not grow the producer's trace). For one record processed on
 * its own, {@link RecordHeadersParent} keeps the request one trace, which readers expect.
 */
final class RecordHeadersLink implements RecordParent {

  private final TextMapPropagator propagator;

  private RecordHeadersLink(OpenTelemetry otel) {
    this.propagator = otel.getPropagators().getTextMapPropagator();
  }

  static RecordHeadersLink create(OpenTelemetry otel) {
    return new RecordHeadersLink(otel);
  }

  /** A new trace: no parent. */
  @Override
  public Context parentOf(ConsumerRecord<String, String> record) {
    return Context.root();
  }

  @Override
  public SpanBuilder lineage(SpanBuilder builder, ConsumerRecord<String, String> record) {
    builder.setNoParent();
    SpanContext producer =
        Span.fromContext(
                propagator.extract(
                    Context.root(), record.headers(), RecordHeadersParent.RecordHeaders.INSTANCE))
            .getSpanContext();
    if (producer.isValid()) {
      builder.addLink(producer);
    }
    return builder;
  }
}
