// SPDX-License-Identifier: Apache-2.0

/*
 * DEFECT (lifecycle, consumer-svc): a long-running handler traced as ONE span. The subscription
 *   opens a span "orders subscription" when it starts, makes it current on the poll loop's thread
 *   for the loop's whole life, and every record's process span is started under it (the record
 *   headers are not read: the ambient context wins). The code shape:
 *     Span life = tracer.spanBuilder("orders subscription").startSpan();
 *     try (Scope s = life.makeCurrent()) { while (running) { for (record : poll()) process(record); } }
 *     finally { life.end(); }
 *   The same happens with a periodic reconciler that opens a span at start and runs every tick in it.
 * SYMPTOM: one trace that grows with uptime: every process span of the consumer's life, under a
 *   root that ends only at shutdown. The tail sampler decides it decision_wait after its FIRST span,
 *   on that fragment; every later span arrives after the decision (late) and rides on the cached
 *   decision, whatever the sampling policy would have said of it (`./lab longrun`). The request
 *   itself is split: {POST /orders .. send orders} and the process span in the lifecycle trace,
 *   whose parent is never exported while it runs (auditor: missing-parent orphans on consumer-svc).
 * FIX: consumer-svc/src/main/java/dev/tracelab/consumer/LifecycleUnits.java: each record's process
 *   span continues its request (a bounded trace), links to a short lifecycle start span, and carries
 *   lifecycle.name / lifecycle.instance.id, stamped from the context by
 *   lab-common/src/main/java/dev/tracelab/telemetry/lifecycle/LifecycleSpanProcessor.java.
 * SWITCH: consumer-svc with TRACELAB_VARIANT=lifecycle (CLI: --consumer lifecycle; ./lab longrun).
 */
package dev.tracelab.broken;

import dev.tracelab.kafka.RecordParent;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.consumer.ConsumerRecord;

public final class LifecycleSpanParent implements RecordParent {

  private final Span lifecycle;

  private LifecycleSpanParent(Span lifecycle) {
    this.lifecycle = lifecycle;
  }

  /** Opens the subscription's span (it ends when the poll loop ends, see {@link #close()}). */
  public static LifecycleSpanParent start(OpenTelemetry otel) {
    return new LifecycleSpanParent(
        otel.getTracer("dev.tracelab.consumer")
            .spanBuilder("orders subscription")
            .setNoParent()
            .setSpanKind(SpanKind.INTERNAL)
            .startSpan());
  }

  @Override
  public Context loopContext(Context current) {
    return current.with(lifecycle); // THE BUG, part 1: one span current for the loop's whole life
  }

  @Override
  public Context parentOf(ConsumerRecord<String, String> record) {
    return Context
        .current(); // THE BUG, part 2: every unit of work descends from the lifecycle span
  }

  @Override
  public void close() {
    lifecycle.end(); // at shutdown: hours after its trace was decided
  }
}
