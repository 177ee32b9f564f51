package dev.tracelab.auditor.trace;

import io.opentelemetry.api.trace.SpanKind;
import java.util.Map;

/**
 * One span as the auditor received it over OTLP.
 *
 * @param parentSpanId null for a root span
 * @param attributes span attributes, values rendered as strings
 */
public record ReceivedSpan(
    String traceId,
    String spanId,
    String parentSpanId,
    String service,
    SpanKind kind,
    String name,
    long startEpochNanos,
    long endEpochNanos,
    boolean error,
    Map<String, String> attributes) {

  public static final String ORDER_ID = "app.order_id";

  public boolean isRoot() {
    return parentSpanId == null;
  }

  public String orderId() {
    return attributes.get(ORDER_ID);
  }

  public double durationMs() {
    return (endEpochNanos - startEpochNanos) / 1_000_000.0;
  }
}
