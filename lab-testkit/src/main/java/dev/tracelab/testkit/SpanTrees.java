// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.SpanSelector;
import io.opentelemetry.api.trace.SpanKind;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a failure prints: a trace as a span tree (service, kind, name, span and parent ids, indented
 * by depth, orphans and unanswered calls marked) and the auditor's report (services, broken edges
 * with their evidence and fix, diagnoses), so the build log alone says which boundary broke.
 */
final class SpanTrees {

  /** Most traces and edges a message prints. */
  static final int MAX_TRACES = 8;

  static final int MAX_EDGES = 5;

  private SpanTrees() {}

  /** True when a span may start a trace. */
  static boolean isEntryPoint(AuditedSpan span, FlowSpec spec) {
    for (SpanSelector e : spec.entryPoints()) {
      if (e.matches(span.service(), span.kind(), span.name())) {
        return true;
      }
    }
    return false;
  }

  /**
   * A CLIENT or PRODUCER span with no child in its trace (a database call excepted: it answers no
   * trace).
   */
  static boolean isUnansweredCall(AuditedSpan span, AuditedTrace trace) {
    if (span.kind() != SpanKind.CLIENT && span.kind() != SpanKind.PRODUCER) {
      return false;
    }
    Map<String, String> a = span.attributes();
    if (a.containsKey("db.system") || a.containsKey("db.system.name")) {
      return false;
    }
    return trace.children(span).isEmpty();
  }

  /** The trace as an indented span tree, each line starting with {@code indent}. */
  static void appendTrace(StringBuilder sb, AuditedTrace trace, FlowSpec spec, String indent) {
    sb.append(indent)
        .append("trace ")
        .append(trace.traceId())
        .append(" (")
        .append(count(trace.spans().size(), "span"))
        .append(trace.closed() ? ", judged" : ", open: spans may still arrive");
    if (!trace.lateSpans().isEmpty()) {
      sb.append(", ").append(count(trace.lateSpans().size(), "late span"));
    }
    sb.append(")\n");
    Set<String> printed = new HashSet<>();
    for (AuditedSpan s : trace.spans()) {
      if (s.isRoot() || !trace.holds(s.parentSpanId())) {
        appendSpan(sb, s, trace, spec, indent + "  ", printed);
      }
    }
    for (AuditedSpan s : trace.spans()) {
      if (!printed.contains(s.spanId())) { // in a parent cycle: still shown
        appendSpan(sb, s, trace, spec, indent + "  ", printed);
      }
    }
    if (!trace.lateSpans().isEmpty()) {
      sb.append(indent)
          .append(
              "  late (arrived after the trace was judged: raise the quiet window, or lower the")
          .append(" services' OTEL_BSP_SCHEDULE_DELAY):\n");
      for (AuditedSpan s : trace.lateSpans()) {
        sb.append(indent).append("    ").append(s).append(' ').append(ids(s)).append('\n');
      }
    }
  }

  private static void appendSpan(
      StringBuilder sb,
      AuditedSpan span,
      AuditedTrace trace,
      FlowSpec spec,
      String indent,
      Set<String> printed) {
    if (!printed.add(span.spanId())) {
      return;
    }
    sb.append(indent).append(span).append(' ').append(ids(span));
    if (span.isRoot()) {
      if (!isEntryPoint(span, spec)) {
        sb.append("  <- orphan root: not an entry point");
      }
    } else if (!trace.holds(span.parentSpanId())) {
      sb.append("  <- missing parent: its parent never arrived in this trace");
    }
    if (isUnansweredCall(span, trace)) {
      sb.append("  <- unanswered call: no child in this trace");
    }
    if (span.error()) {
      sb.append("  (status ERROR)");
    }
    for (AuditedSpan.Link link : span.links()) {
      sb.append("  (link to span ")
          .append(link.spanId())
          .append(" in trace ")
          .append(link.traceId())
          .append(')');
    }
    sb.append('\n');
    for (AuditedSpan child : trace.children(span)) {
      appendSpan(sb, child, trace, spec, indent + "  ", printed);
    }
  }

  private static String ids(AuditedSpan span) {
    return "[span "
        + span.spanId()
        + (span.isRoot() ? ", root]" : ", parent " + span.parentSpanId() + "]");
  }

  /**
   * The report: figures, services, broken edges (with each edge's example pair as span trees when
   * {@code auditor} is given), diagnoses.
   */
  static void appendReport(StringBuilder sb, AuditReport report, TraceAuditor auditor) {
    FlowSpec spec = auditor == null ? null : auditor.spec();
    sb.append("The auditor's report: ")
        .append(count(report.traces(), "trace"))
        .append(" judged, ")
        .append(report.connectedTraces())
        .append(" connected");
    if (report.requests() != null) {
      sb.append("; ")
          .append(count(report.requests(), "request"))
          .append(", ")
          .append(report.connectedRequests())
          .append(" connected");
    }
    sb.append('\n');
    sb.append("  services:");
    if (report.services().isEmpty()) {
      sb.append(" none sent spans in this run");
    }
    sb.append('\n');
    for (Map.Entry<String, ScenarioReport.ServiceFigures> e : report.services().entrySet()) {
      ScenarioReport.ServiceFigures f = e.getValue();
      sb.append("    ")
          .append(e.getKey())
          .append(": ")
          .append(count(f.spans(), "span"))
          .append(", ")
          .append(count(f.orphanSpans(), "orphan"))
          .append(" (")
          .append(count(f.orphanRoots(), "orphan root"))
          .append(", ")
          .append(count(f.missingParentOrphans(), "missing parent"))
          .append("), orphan rate ")
          .append(String.format(Locale.ROOT, "%.4f", f.orphanRate()))
          .append('\n');
    }
    List<BrokenEdge> edges = report.brokenEdges();
    sb.append("  broken edges:").append(edges.isEmpty() ? " none" : "").append('\n');
    for (int i = 0; i < Math.min(MAX_EDGES, edges.size()); i++) {
      BrokenEdge e = edges.get(i);
      sb.append("    ")
          .append(e.label())
          .append(": ")
          .append(count(e.count(), "call"))
          .append(e.likely() ? " (likely)" : "")
          .append(", side ")
          .append(e.side())
          .append('\n');
      sb.append("      evidence: ").append(e.evidence()).append('\n');
      sb.append("      fix: ").append(e.fix()).append('\n');
      if (e.example() != null) {
        BrokenEdge.Example x = e.example();
        sb.append("      example: call span ")
            .append(x.callSpanId())
            .append(" in trace ")
            .append(x.callTraceId())
            .append(" -> root span ")
            .append(x.rootSpanId())
            .append(" in trace ")
            .append(x.rootTraceId())
            .append('\n');
        if (auditor != null) {
          for (String traceId : List.of(x.callTraceId(), x.rootTraceId())) {
            auditor.trace(traceId).ifPresent(t -> appendTrace(sb, t, spec, "        "));
          }
        }
      }
    }
    if (edges.size() > MAX_EDGES) {
      sb.append("    ... and ").append(edges.size() - MAX_EDGES).append(" more\n");
    }
    List<ScenarioReport.DiagnosisCount> diagnoses = report.diagnoses();
    sb.append("  diagnoses:").append(diagnoses.isEmpty() ? " none" : "").append('\n');
    for (ScenarioReport.DiagnosisCount d : diagnoses) {
      sb.append("    ")
          .append(d.boundary())
          .append(" at ")
          .append(d.service())
          .append(" '")
          .append(d.span())
          .append("' x")
          .append(d.count())
          .append(": ")
          .append(d.fix())
          .append('\n');
    }
  }

  static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
