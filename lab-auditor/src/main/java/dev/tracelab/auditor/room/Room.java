// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.room;

import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.TraceClosed;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.Defects;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The workshop room view: per learner (the {@code learner} resource attribute of their services),
 * which boundaries their last request carried. A boundary is judged at the span that becomes an
 * orphan when it breaks: {@code POST /work}'s SERVER span (http), the deferred-work INTERNAL span
 * (async), the CONSUMER span (kafka) — fixed when it has its parent in its trace, broken when it is
 * a root (a linked root included: the exercise asks for a parent).
 */
public final class Room {

  /**
   * The boundaries of the room view, in flow order: the code exercises between the lab's services
   * (the defect catalog's, {@link Defects#serviceExercises()}).
   */
  public static final List<String> BOUNDARIES =
      Defects.serviceExercises().stream().map(Boundary::id).toList();

  /** One boundary of one learner: its last verdict and when it was seen. */
  public record Seen(String status, Instant at) {}

  private final int maxLearners;
  private final Map<String, Map<String, Seen>> learners = new TreeMap<>();

  public Room(int maxLearners) {
    this.maxLearners = maxLearners;
  }

  /** A close event of the assembler: judges the boundary spans of learners in it. */
  public void add(TraceClosed closed) {
    AssembledTrace trace = closed.trace();
    for (ReceivedSpan s : trace.spans()) {
      String learner = s.attributes().get(ReceivedSpan.LEARNER);
      String boundary = boundaryAt(s);
      if (learner == null || boundary == null) {
        continue;
      }
      String status = !s.isRoot() && trace.hasSpan(s.parentSpanId()) ? "fixed" : "broken";
      record(learner, boundary, status);
    }
  }

  /**
   * The room's boundary whose orphan span (in the all-Java flow) has this span's service and kind.
   */
  private static String boundaryAt(ReceivedSpan s) {
    for (Boundary b : Defects.serviceExercises()) {
      ExpectedSpan orphan = Flow.JAVA.orphanSpan(b);
      if (orphan.service().equals(s.service()) && orphan.kind() == s.kind()) {
        return b.id();
      }
    }
    return null;
  }

  private synchronized void record(String learner, String boundary, String status) {
    Map<String, Seen> row = learners.get(learner);
    if (row == null) {
      if (learners.size() >= maxLearners) {
        return; // bounded: a room, not an unbounded label set
      }
      row = new LinkedHashMap<>();
      learners.put(learner, row);
    }
    row.put(boundary, new Seen(status, Instant.now()));
  }

  /**
   * {@code [{"learner": "alice", "boundaries": {"http": "fixed", "async": "broken", "kafka": "not
   * seen"}, "fixed": 1}]}
   */
  public synchronized List<Map<String, Object>> json() {
    List<Map<String, Object>> out = new ArrayList<>();
    learners.forEach(
        (learner, row) -> {
          Map<String, Object> boundaries = new LinkedHashMap<>();
          int fixed = 0;
          for (String b : BOUNDARIES) {
            Seen seen = row.get(b);
            boundaries.put(b, seen == null ? "not seen" : seen.status());
            fixed += seen != null && seen.status().equals("fixed") ? 1 : 0;
          }
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("learner", learner);
          m.put("boundaries", boundaries);
          m.put("fixed", fixed);
          out.add(m);
        });
    return out;
  }

  /** A small self-refreshing HTML page of {@link #json()}. */
  public String html() {
    StringBuilder sb = new StringBuilder();
    sb.append(
            "<!doctype html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">")
        .append("<title>tracelab room</title><style>body{font-family:sans-serif;margin:2em}")
        .append(
            "td,th{padding:.3em 1em;border-bottom:1px solid #ddd}.fixed{background:#cfc}.broken{background:#fcc}")
        .append("</style></head><body><h1>tracelab workshop room</h1><table><tr><th>learner</th>");
    BOUNDARIES.forEach(b -> sb.append("<th>").append(b).append("</th>"));
    sb.append("<th>fixed</th></tr>");
    for (Map<String, Object> row : json()) {
      sb.append("<tr><td>").append(escape((String) row.get("learner"))).append("</td>");
      @SuppressWarnings("unchecked")
      Map<String, Object> boundaries = (Map<String, Object>) row.get("boundaries");
      boundaries.forEach(
          (b, status) ->
              sb.append("<td class=\"")
                  .append(status)
                  .append("\">")
                  .append(status)
                  .append("</td>"));
      sb.append("<td>")
          .append(row.get("fixed"))
          .append("/")
          .append(BOUNDARIES.size())
          .append("</td></tr>");
    }
    sb.append(
        "</table><p>Each learner's services run with OTEL_RESOURCE_ATTRIBUTES=learner=NAME; refreshes every 5 s.</p></body></html>");
    return sb.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
