// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.report;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport.DiagnosisCount;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-built reports for the writers' tests. {@link #broken()}: a frontend whose calls to customer
 * lost their context (customer 6 of 6 spans orphaned, 100 %), and a driver with one missing-parent
 * orphan under the 1 % threshold (0.5 %). {@link #hostile()}: the same shape with every name a
 * sender chooses set to {@link #HOSTILE}.
 */
final class CraftedReports {

  static final double MAX = 0.01;
  static final String HOSTILE = "\"<script>alert(1)</script>|\n&";

  static final String CALL_TRACE = "0af7651916cd43dd8448eb211c80319c";
  static final String CALL_SPAN = "b7ad6b7169203331";
  static final String ROOT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String ROOT_SPAN = "00f067aa0ba902b7";

  static final String EVIDENCE =
      "6 unanswered CLIENT 'GET' spans <-> 6 root SERVER 'GET /customer'";
  static final String EDGE_FIX = "The callee customer must extract the trace context.";
  static final String HTTP_FIX = "A SERVER span of customer started a new trace.";
  static final String PARENT_FIX = "The parent span was never exported.";

  private CraftedReports() {}

  static AuditReport broken() {
    Map<String, ServiceFigures> services = new LinkedHashMap<>();
    services.put("frontend", new ServiceFigures(12, 0, 0, 0, 0.0));
    services.put("customer", new ServiceFigures(6, 6, 6, 0, 1.0));
    services.put("driver", new ServiceFigures(200, 1, 0, 1, 0.005));
    return new AuditReport(
        "tracelab",
        "dev",
        "spec",
        "shop",
        8,
        2,
        6,
        0,
        0,
        2.0,
        services,
        List.of(edge("frontend", "customer", EVIDENCE, EDGE_FIX)),
        List.of(
            new DiagnosisCount("http", "customer", "GET /customer", 6, HTTP_FIX),
            new DiagnosisCount("missing-parent", "driver", "FindNearest", 1, PARENT_FIX)));
  }

  static AuditReport hostile() {
    Map<String, ServiceFigures> services = new LinkedHashMap<>();
    services.put("frontend", new ServiceFigures(12, 0, 0, 0, 0.0));
    services.put(HOSTILE, new ServiceFigures(6, 6, 6, 0, 1.0));
    return new AuditReport(
        "tracelab",
        "dev",
        "spec",
        HOSTILE,
        8,
        2,
        null,
        null,
        null,
        null,
        services,
        List.of(
            edge(
                "frontend",
                HOSTILE,
                "6 unanswered CLIENT '" + HOSTILE + "' spans <-> 6 root SERVER '" + HOSTILE + "'",
                "The callee "
                    + HOSTILE
                    + " must extract **it** [here](http://x) _now_ `x` ~~y~~ $z$ \\")),
        List.of(new DiagnosisCount(HOSTILE, HOSTILE, HOSTILE, 6, "fix " + HOSTILE)));
  }

  /** Every service under the threshold, no broken edge, no correlation attribute. */
  static AuditReport passing() {
    Map<String, ServiceFigures> services = new LinkedHashMap<>();
    services.put("frontend", new ServiceFigures(3, 0, 0, 0, 0.0));
    services.put("customer", new ServiceFigures(3, 0, 0, 0, 0.0));
    return new AuditReport(
        "tracelab",
        "dev",
        "entry",
        "entry",
        3,
        3,
        null,
        null,
        null,
        null,
        services,
        List.of(),
        List.of());
  }

  /** Nothing reached the auditor. */
  static AuditReport empty() {
    return new AuditReport(
        "tracelab",
        "dev",
        "entry",
        "entry",
        0,
        0,
        null,
        null,
        null,
        null,
        Map.of(),
        List.of(),
        List.of());
  }

  static BrokenEdge edge(String from, String to, String evidence, String fix) {
    return new BrokenEdge(
        from,
        to,
        "http",
        6,
        false,
        "callee",
        evidence,
        fix,
        new BrokenEdge.Example(CALL_TRACE, CALL_SPAN, ROOT_TRACE, ROOT_SPAN));
  }

  /**
   * The traces of the example pair: the caller's (frontend SERVER 0–100 ms, its CLIENT call 10–60
   * ms unanswered) and the callee's orphan (customer SERVER 12–58 ms with a CLIENT 20–50 ms).
   */
  static Map<String, List<ReceivedSpan>> exampleTraces(String caller, String callee) {
    return Map.of(
        CALL_TRACE,
            List.of(
                span(
                    CALL_TRACE,
                    CALL_SPAN,
                    "1000000000000001",
                    caller,
                    SpanKind.CLIENT,
                    "GET",
                    10,
                    60),
                span(
                    CALL_TRACE,
                    "1000000000000001",
                    null,
                    caller,
                    SpanKind.SERVER,
                    "GET /dispatch",
                    0,
                    100)),
        ROOT_TRACE,
            List.of(
                span(ROOT_TRACE, ROOT_SPAN, null, callee, SpanKind.SERVER, "GET /customer", 12, 58),
                span(
                    ROOT_TRACE,
                    "2000000000000002",
                    ROOT_SPAN,
                    callee,
                    SpanKind.CLIENT,
                    "SELECT",
                    20,
                    50)));
  }

  /** A span of a trace starting at epoch 1 s, its times in milliseconds from there. */
  static ReceivedSpan span(
      String traceId,
      String spanId,
      String parentId,
      String service,
      SpanKind kind,
      String name,
      long startMs,
      long endMs) {
    long t0 = 1_000_000_000L;
    return new ReceivedSpan(
        traceId,
        spanId,
        parentId,
        service,
        kind,
        name,
        t0 + startMs * 1_000_000,
        t0 + endMs * 1_000_000,
        false,
        Map.of());
  }
}
