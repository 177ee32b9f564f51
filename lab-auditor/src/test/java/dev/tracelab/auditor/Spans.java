// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.util.Map;

/** Hand-built spans for unit tests. */
public final class Spans {

  private Spans() {}

  public static ReceivedSpan span(
      String traceId,
      String spanId,
      String parentId,
      String service,
      SpanKind kind,
      String name,
      String orderId) {
    return new ReceivedSpan(
        pad(traceId, 32),
        pad(spanId, 16),
        parentId == null ? null : pad(parentId, 16),
        service,
        kind,
        name,
        1_000,
        2_000,
        false,
        orderId == null ? Map.of() : Map.of("app.order_id", orderId));
  }

  public static String pad(String id, int len) {
    return "0".repeat(Math.max(0, len - id.length())) + id;
  }
}
