// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import dev.tracelab.kafka.RecordParent;
import dev.tracelab.telemetry.lifecycle.Lifecycle;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * FIX for the long-running subscription (docs/design.md §8; the defect is {@code
 * broken-variants/src/main/java/dev/tracelab/broken/LifecycleSpanParent.java}). The subscription is
 * a {@link Lifecycle}: a short start span of its own, and an identity put in the poll loop's
 * context ONCE. Each record is a bounded unit of work: its process span continues the request the
 * record carries (the producer's context, extracted from the headers onto the loop's context) and
 * links to the lifecycle start span; {@code LifecycleSpanProcessor} stamps {@code lifecycle.name}
 * and {@code lifecycle.instance.id} on it, and on everything started under it, from that context.
 *
 * <p>Parent or link: the request is the unit's lineage (one parent: the producer span); the
 * lifecycle is context about where it ran, which is what a link and attributes are for. A unit with
 * nothing upstream (a reconciler's tick) would be a root of its own, with the same link.
 */
final class LifecycleUnits implements RecordParent {

  /** The lifecycle's name (its start span is {@code "orders subscription start"}). */
  static final String NAME = "orders subscription";

  private final TextMapPropagator propagator;
  private final Lifecycle lifecycle;

  private LifecycleUnits(TextMapPropagator propagator, Lifecycle lifecycle) {
    this.propagator = propagator;
    this.lifecycle = lifecycle;
  }

  /** Starts the lifecycle (its start span is exported at once). */
  static LifecycleUnits start(OpenTelemetry otel) {
    return new LifecycleUnits(
        otel.getPropagators().getTextMapPropagator(),
        Lifecycle.start(otel.getTracer("dev.tracelab.consumer"), NAME));
  }

  /** The identity, and no span: nothing descends from the lifecycle. */
  @Override
  public Context loopContext(Context current) {
    return lifecycle.storeInContext(current);
  }

  /** The producer's context, extracted onto the loop's context (which carries the lifecycle). */
  @Override
  public Context parentOf(ConsumerRecord<String, String> record) {
    return propagator.extract(
        Context.current(), record.headers(), RecordHeadersParent.RecordHeaders.INSTANCE);
  }

  @Override
  public SpanBuilder lineage(SpanBuilder builder, ConsumerRecord<String, String> record) {
    return lifecycle.addLink(builder.setParent(parentOf(record)));
  }
}
