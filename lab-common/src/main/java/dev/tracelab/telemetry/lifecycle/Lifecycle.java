// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.telemetry.lifecycle;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.ImplicitContextKeyed;
import java.util.Objects;
import java.util.UUID;

/**
 * The identity of a long-running piece of work — a subscription, a periodic reconciler — kept in
 * the {@link Context}, not in a span (docs/design.md §8).
 *
 * <p>A long-lived span that parents every unit of work makes one trace that grows with uptime and
 * outlives any tail sampler's decision window. Instead: record the start as a short span of its own
 * ({@link #start}), put the lifecycle in the context the loop runs in, once ({@link
 * #storeInContext}, or {@link #makeCurrent} on the loop's thread), and give each unit of work a
 * bounded trace of its own that {@linkplain #addLink links} to the start span. {@link
 * LifecycleSpanProcessor} stamps {@link #NAME} and {@link #INSTANCE_ID} on every span started in
 * that context, so no call site sets them by hand and a backend can still find every unit of one
 * lifecycle by attribute.
 *
 * <pre>{@code
 * Lifecycle lifecycle = Lifecycle.start(tracer, "orders subscription");
 * try (Scope ignored = lifecycle.makeCurrent()) {
 *   while (running) {
 *     for (Record r : poll()) {
 *       Span unit = lifecycle.addLink(tracer.spanBuilder("process").setParent(extract(r))).startSpan();
 *       ...
 *     }
 *   }
 * }
 * }</pre>
 */
public final class Lifecycle implements ImplicitContextKeyed {

  /** The lifecycle's name, on its start span and on every span of its units. */
  public static final AttributeKey<String> NAME = AttributeKey.stringKey("lifecycle.name");

  /** One id per start of the lifecycle, stable for as long as it runs. */
  public static final AttributeKey<String> INSTANCE_ID =
      AttributeKey.stringKey("lifecycle.instance.id");

  private static final ContextKey<Lifecycle> KEY = ContextKey.named("tracelab-lifecycle");

  private final String name;
  private final String instanceId;
  private final SpanContext startSpan;

  private Lifecycle(String name, String instanceId, SpanContext startSpan) {
    this.name = name;
    this.instanceId = instanceId;
    this.startSpan = startSpan;
  }

  /**
   * Starts a lifecycle named {@code name}: a new instance id, and a start span {@code "<name>
   * start"} that is a root of its own and ends at once (a bounded one-span trace the units link
   * to).
   */
  public static Lifecycle start(Tracer tracer, String name) {
    Objects.requireNonNull(name, "name");
    String instanceId = UUID.randomUUID().toString();
    Span span =
        tracer
            .spanBuilder(name + " start")
            .setNoParent()
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute(NAME, name)
            .setAttribute(INSTANCE_ID, instanceId)
            .startSpan();
    span.end();
    return new Lifecycle(name, instanceId, span.getSpanContext());
  }

  /** The lifecycle in {@code context}, or null. */
  public static Lifecycle fromContext(Context context) {
    return context.get(KEY);
  }

  @Override
  public Context storeInContext(Context context) {
    return context.with(KEY, this);
  }

  /** Adds the link to this lifecycle's start span (lineage by link, not by parent). */
  public SpanBuilder addLink(SpanBuilder unitOfWork) {
    if (startSpan.isValid()) {
      unitOfWork.addLink(startSpan);
    }
    return unitOfWork;
  }

  public String name() {
    return name;
  }

  public String instanceId() {
    return instanceId;
  }

  /** The start span's context (invalid when tracing is off). */
  public SpanContext startSpanContext() {
    return startSpan;
  }

  @Override
  public String toString() {
    return "Lifecycle{" + name + ", " + instanceId + "}";
  }
}
