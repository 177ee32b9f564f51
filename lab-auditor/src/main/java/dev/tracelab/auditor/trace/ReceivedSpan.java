// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.trace;

import io.opentelemetry.api.trace.SpanKind;
import java.util.List;
import java.util.Map;

/**
 * One span as the auditor received it over OTLP.
 *
 * @param parentSpanId null for a root span
 * @param attributes span attributes, values rendered as strings
 * @param links the span's links (another span's trace id and span id), in the order sent
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
    Map<String, String> attributes,
    List<Link> links) {

  /**
   * The resource attribute {@code learner} (a workshop participant, e.g. {@code
   * OTEL_RESOURCE_ATTRIBUTES=learner=alice}), copied onto each span of that resource.
   */
  public static final String LEARNER = "learner";

  /** A span link: the linked span's trace id and span id (lowercase hex). */
  public record Link(String traceId, String spanId) {}

  public ReceivedSpan {
    links = links == null ? List.of() : List.copyOf(links);
  }

  /** A span without links. */
  public ReceivedSpan(
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
    this(
        traceId,
        spanId,
        parentSpanId,
        service,
        kind,
        name,
        startEpochNanos,
        endEpochNanos,
        error,
        attributes,
        List.of());
  }

  /** True when one of its links points to exactly this span. */
  public boolean linksTo(String traceId, String spanId) {
    for (Link link : links) {
      if (link.traceId().equals(traceId) && link.spanId().equals(spanId)) {
        return true;
      }
    }
    return false;
  }

  public boolean isRoot() {
    return parentSpanId == null;
  }

  public double durationMs() {
    return (endEpochNanos - startEpochNanos) / 1_000_000.0;
  }
}
