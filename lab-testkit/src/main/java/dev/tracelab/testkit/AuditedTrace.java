// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import java.util.List;
import java.util.Objects;

/**
 * One trace id as the auditor holds it.
 *
 * @param closed judged: no span of it arrived for the auditor's quiet window, and the auditor's
 *     report counts it
 * @param spans its spans, in arrival order
 * @param lateSpans spans that arrived after it closed: not judged with it (a quiet window shorter
 *     than a service's export delay)
 */
public record AuditedTrace(
    String traceId, boolean closed, List<AuditedSpan> spans, List<AuditedSpan> lateSpans) {

  /** Copies the lists. */
  public AuditedTrace {
    Objects.requireNonNull(traceId, "traceId");
    spans = List.copyOf(spans);
    lateSpans = lateSpans == null ? List.of() : List.copyOf(lateSpans);
  }

  /** The spans without a parent. */
  public List<AuditedSpan> roots() {
    return spans.stream().filter(AuditedSpan::isRoot).toList();
  }

  /** The spans whose parent is {@code span}. */
  public List<AuditedSpan> children(AuditedSpan span) {
    return spans.stream().filter(s -> span.spanId().equals(s.parentSpanId())).toList();
  }

  /** True when the trace holds a span with this id. */
  public boolean holds(String spanId) {
    for (AuditedSpan s : spans) {
      if (s.spanId().equals(spanId)) {
        return true;
      }
    }
    return false;
  }
}
