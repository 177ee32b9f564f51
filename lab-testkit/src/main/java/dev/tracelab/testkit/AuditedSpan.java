// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import io.opentelemetry.api.trace.SpanKind;
import java.util.List;
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
 * @param links the span's links, in the order sent
 */
public record AuditedSpan(
    String traceId,
    String spanId,
    String parentSpanId,
    String service,
    SpanKind kind,
    String name,
    boolean error,
    Map<String, String> attributes,
    List<Link> links) {

  /** A span link: the linked span's trace id and span id. */
  public record Link(String traceId, String spanId) {

    /** Requires both ids. */
    public Link {
      Objects.requireNonNull(traceId, "traceId");
      Objects.requireNonNull(spanId, "spanId");
    }

    /** A link to this span. */
    public static Link to(AuditedSpan span) {
      return new Link(span.traceId(), span.spanId());
    }
  }

  /**
   * Copies {@code attributes} and {@code links}; requires the ids, the service, the kind and the
   * name.
   */
  public AuditedSpan {
    Objects.requireNonNull(traceId, "traceId");
    Objects.requireNonNull(spanId, "spanId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    links = links == null ? List.of() : List.copyOf(links);
  }

  /** A span without links. */
  public AuditedSpan(
      String traceId,
      String spanId,
      String parentSpanId,
      String service,
      SpanKind kind,
      String name,
      boolean error,
      Map<String, String> attributes) {
    this(traceId, spanId, parentSpanId, service, kind, name, error, attributes, List.of());
  }

  /** True when the span has no parent. */
  public boolean isRoot() {
    return parentSpanId == null;
  }

  /** The value of a span attribute, or null. */
  public String attribute(String key) {
    return attributes.get(key);
  }

  /** {@code frontend SERVER 'GET /dispatch'}: how failure messages name a span. */
  @Override
  public String toString() {
    return service + " " + kind + " '" + name + "'";
  }
}
