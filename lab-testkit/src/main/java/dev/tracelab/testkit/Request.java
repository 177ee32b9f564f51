// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.SpanSelector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request's traces at one moment, and the rules that judge them. The fragments are the traces
 * the selector names, the traces sharing a correlation value with them, and the other end of a
 * broken edge's example pair (the auditor pairs an unanswered call with the root of a new trace,
 * docs/design.md §11.3). With a correlation attribute every fragment is found; without one, the
 * pairs of the report's examples are.
 */
record Request(
    RequestSelector selector,
    List<AuditedTrace> fragments,
    AuditReport report,
    FlowSpec spec,
    boolean settled,
    int inFlight) {

  /** Most fragments one request is read as. */
  static final int MAX_FRAGMENTS = 32;

  static Request read(TraceAuditor auditor, RequestSelector selector, Settling settling) {
    int inFlight = auditor.tracesInFlight();
    AuditReport report = auditor.report();
    boolean settled = settling.settled(inFlight, report.traces());
    FlowSpec spec = auditor.spec();
    Map<String, AuditedTrace> found = new LinkedHashMap<>();
    Deque<AuditedTrace> todo = new ArrayDeque<>(selector.seed(auditor));
    while (!todo.isEmpty() && found.size() < MAX_FRAGMENTS) {
      AuditedTrace trace = todo.poll();
      if (found.putIfAbsent(trace.traceId(), trace) != null) {
        continue;
      }
      if (spec.correlation() != null) {
        trace.spans().stream()
            .map(s -> s.attributes().get(spec.correlation()))
            .filter(Objects::nonNull)
            .distinct()
            .forEach(v -> todo.addAll(auditor.tracesWith(v)));
      }
      for (BrokenEdge e : report.brokenEdges()) {
        BrokenEdge.Example x = e.example();
        if (x != null && x.callTraceId().equals(trace.traceId())) {
          auditor.trace(x.rootTraceId()).ifPresent(todo::add);
        } else if (x != null && x.rootTraceId().equals(trace.traceId())) {
          auditor.trace(x.callTraceId()).ifPresent(todo::add);
        }
      }
    }
    return new Request(selector, List.copyOf(found.values()), report, spec, settled, inFlight);
  }

  /** Why the request is not judged yet, or null when every fragment is. */
  String notJudged() {
    if (fragments.isEmpty()) {
      return "no span of it arrived at the auditor";
    }
    for (AuditedTrace t : fragments) {
      if (!t.closed()) {
        return "trace "
            + t.traceId()
            + " is not judged yet (a span of it arrived within the quiet window)";
      }
    }
    for (AuditedTrace t : fragments) {
      if (!t.lateSpans().isEmpty()) {
        throw new Polling.Final(lateSpans(t));
      }
    }
    if (!settled) {
      // the root its call reached without context may be in a trace still in flight: not paired yet
      for (AuditedTrace t : fragments) {
        for (AuditedSpan s : t.spans()) {
          if (SpanTrees.isUnansweredCall(s, t)) {
            return s
                + " has no child in its trace, and the auditor has traces in flight that its callee's"
                + " span may be in";
          }
        }
      }
    }
    return null;
  }

  /** Why a trace with late spans ends the wait: its verdict was reached without them. */
  static String lateSpans(AuditedTrace t) {
    return "trace "
        + t.traceId()
        + ": "
        + SpanTrees.count(t.lateSpans().size(), "span")
        + " arrived after the auditor judged it ("
        + String.join(", ", t.lateSpans().stream().map(AuditedSpan::toString).toList())
        + "): it was judged without them, and no later poll changes that. Raise the auditor's"
        + " quiet window, or lower the services' OTEL_BSP_SCHEDULE_DELAY";
  }

  int spanCount() {
    return fragments.stream().mapToInt(t -> t.spans().size()).sum();
  }

  /** What keeps the request from being one connected trace; empty when it is one. */
  List<String> connectionProblems() {
    List<String> problems = new ArrayList<>();
    String waiting = notJudged();
    if (waiting != null) {
      problems.add(waiting);
      return problems;
    }
    if (fragments.size() > 1) {
      problems.add("it is " + fragments.size() + " traces, not one (fragments below)");
    }
    for (AuditedTrace t : fragments) {
      List<AuditedSpan> roots = t.roots();
      String where = fragments.size() > 1 ? "trace " + t.traceId() + ": " : "";
      if (roots.isEmpty()) {
        problems.add(
            where
                + "no root span: the trace's first span continued a parent that was never exported");
      } else if (roots.size() > 1) {
        problems.add(where + roots.size() + " root spans: " + roots);
      }
      for (AuditedSpan r : roots) {
        if (!SpanTrees.isEntryPoint(r, spec)) {
          problems.add(
              where
                  + "its root "
                  + r
                  + " is not an entry point (entry points: "
                  + entryPoints()
                  + ")");
        }
      }
      for (AuditedSpan s : t.spans()) {
        if (!s.isRoot() && !t.holds(s.parentSpanId())) {
          problems.add(
              where
                  + s
                  + " has parent "
                  + s.parentSpanId()
                  + ", which never arrived (missing-parent orphan)");
        }
        if (SpanTrees.isUnansweredCall(s, t)) {
          for (BrokenEdge e : report.brokenEdges()) {
            if (e.from().equals(s.service()) && !e.to().equals(s.service())) {
              problems.add(
                  where
                      + s
                      + " has no child in its trace, and the report has the broken edge "
                      + e.label());
              break;
            }
          }
        }
      }
    }
    return problems;
  }

  /** Null when a fragment holds the path from its root, else why not. */
  String pathProblem(List<SpanSelector> path) {
    String waiting = notJudged();
    if (waiting != null) {
      return waiting;
    }
    for (AuditedTrace t : fragments) {
      for (AuditedSpan root : t.roots()) {
        if (matchesFrom(root, t, path, 0)) {
          return null;
        }
      }
    }
    return "no trace of it holds the path " + path + " from its root";
  }

  private static boolean matchesFrom(
      AuditedSpan span, AuditedTrace trace, List<SpanSelector> path, int i) {
    if (!path.get(i).matches(span.service(), span.kind(), span.name())) {
      return false;
    }
    if (i == path.size() - 1) {
      return true;
    }
    for (AuditedSpan child : trace.children(span)) {
      if (matchesFrom(child, trace, path, i + 1)) {
        return true;
      }
    }
    return false;
  }

  private String entryPoints() {
    return String.join(", ", spec.entryPoints().stream().map(SpanSelector::toString).toList());
  }

  /** The fragments as span trees, then the report: what every failure about this request prints. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    if (fragments.isEmpty()) {
      sb.append("No trace of ")
          .append(selector)
          .append(" arrived (the auditor has ")
          .append(SpanTrees.count(inFlight, "trace"))
          .append(" in flight).\n");
    } else {
      sb.append("The request's ")
          .append(SpanTrees.count(fragments.size(), "trace"))
          .append(", as span trees (service KIND 'name' [span id, parent id]):\n");
      for (int i = 0; i < Math.min(SpanTrees.MAX_TRACES, fragments.size()); i++) {
        SpanTrees.appendTrace(sb, fragments.get(i), spec, "  ");
      }
      if (fragments.size() > SpanTrees.MAX_TRACES) {
        sb.append("  ... and ")
            .append(fragments.size() - SpanTrees.MAX_TRACES)
            .append(" more traces\n");
      }
    }
    SpanTrees.appendReport(sb, report, null);
    return sb.toString();
  }
}
