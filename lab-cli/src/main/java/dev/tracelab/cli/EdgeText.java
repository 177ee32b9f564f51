// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.flow.Flow;
import java.util.Comparator;
import java.util.List;

/**
 * A scenario's broken edges as a learner reads them under its table row: {@code gateway-svc ->
 * worker-svc (http): fix the caller's inject}. Taken from the report's {@code brokenEdges} (the
 * auditor's pairing, docs/design.md §11.3) and the side each edge names, in flow order: the edge
 * into the earlier participant first.
 */
final class EdgeText {

  /**
   * What the orphan rates count and the two other columns mean, in one line of at most 120 columns.
   */
  static final String LEGEND =
      "orphan %: counted on the callee (its span starts the new trace);"
          + " frag/req: traces per request; linked: via span links";

  private EdgeText() {}

  /** One line per broken edge of the scenario, in flow order; none for a scenario without one. */
  static List<String> of(ScenarioReport s) {
    return s.brokenEdges().stream()
        .sorted(
            Comparator.comparingInt((BrokenEdge e) -> position(e.to()))
                .thenComparingInt(e -> position(e.from()))
                .thenComparing(BrokenEdge::boundary))
        .map(e -> name(e) + ": " + action(e, s))
        .toList();
  }

  /**
   * {@code from -> to (boundary)}, with {@code , likely} for an async edge backed by timing alone.
   */
  static String name(BrokenEdge e) {
    return e.likely() ? e.from() + " -> " + e.to() + " (" + e.boundary() + ", likely)" : e.label();
  }

  /**
   * Who acts, in a few words: the side the edge names; the hand-off for an async edge (the caller
   * and the callee are one service); the configuration of both sides when the auditor diagnosed the
   * callee's orphans as propagators that share no format.
   */
  static String action(BrokenEdge e, ScenarioReport s) {
    boolean propagators =
        s.diagnoses().stream()
            .anyMatch(d -> d.boundary().equals("propagators") && d.service().equals(e.to()));
    if (propagators) {
      return "fix OTEL_PROPAGATORS on both sides (configuration)";
    }
    if (e.boundary().equals("async") || e.from().equals(e.to())) {
      return "fix the hand-off (bind the context at submit)";
    }
    return switch (e.side()) {
      case "caller" -> "fix the caller's inject";
      case "callee" -> "fix the callee's extract";
      case "between" -> "fix what is between them (a proxy drops the context)";
      default -> "fix the caller's inject or the callee's extract";
    };
  }

  private static int position(String service) {
    int i = Flow.PARTICIPANTS.indexOf(service);
    return i < 0 ? Integer.MAX_VALUE : i;
  }
}
