// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One log line per closed trace: id, why it closed, span count, roots, its requests (correlation
 * values).
 */
public final class TraceLog {

  private TraceLog() {}

  public static String line(AssembledTrace trace) {
    List<ReceivedSpan> spans = trace.spans();
    String roots =
        spans.stream()
            .filter(ReceivedSpan::isRoot)
            .map(s -> s.service() + " " + s.name())
            .collect(Collectors.joining(", "));
    String orders =
        String.join(",", trace.orderIds()); // the values of the flow's correlation attribute
    return "trace "
        + trace.traceId()
        + " closed ("
        + reason(trace)
        + "): "
        + spans.size()
        + " span(s)"
        + ", root: "
        + (roots.isEmpty() ? "none (parent outside)" : roots)
        + (orders.isEmpty() ? "" : ", order " + orders);
  }

  private static String reason(AssembledTrace trace) {
    AssembledTrace.CloseReason reason = trace.closeReason();
    if (reason == null) {
      return "open";
    }
    return switch (reason) {
      case COMPLETE -> "request complete";
      case QUIET -> "quiet window";
      case EVICTED -> "evicted at cap";
    };
  }

  public static void print(AssembledTrace trace) {
    System.out.println(line(trace));
  }
}
