package dev.tracelab.testkit;

import io.opentelemetry.api.trace.SpanKind;
import java.util.Map;
import java.util.Objects;

/**
 * One span as the auditor received it.
 *
 * @param traceId 32 lowercase hex digits
 * @param spanId 16 lowercase hex digits
 * @param parentSpanId null for a root span
 * @param service the resource attribute {@code service.name}
 * @param attributes span attributes, values rendered as strings (an array as {@code [a, b]})
 */
public record AuditedSpan(
    String traceId,
    String spanId,
    String parentSpanId,
    String service,
    SpanKind kind,
    String name,
    boolean error,
    Map<String, String> attributes) {

  /** Copies {@code attributes}; requires the ids, the service, the kind and the name. */
  public AuditedSpan {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(spanId, "spanId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** True when the span has no parent. */
  public boolean isRoot() {
    return parentSpanId == null;
  }

  /** {@code frontend SERVER 'GET /dispatch'}: how failure messages name a span. */
  @Override
  public String toString() {
    return service + " " + kind + " '" + name + "'";
  }
}
