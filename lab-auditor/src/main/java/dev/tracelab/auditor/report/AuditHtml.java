// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.report;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport.DiagnosisCount;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The generic audit report (docs/design.md §11.4) as one self-contained HTML page (inline CSS and
 * SVG, no script, no external asset): the verdict, the services, the broken edges and the
 * diagnoses; then, for the first 10 broken edges, the edge's example pair side by side: the
 * caller's trace with its unanswered call marked and the callee's orphan trace with its root
 * marked, as two waterfalls on one time axis.
 *
 * <p>Every value that comes from spans is HTML-escaped (characters XML 1.0 forbids are dropped); a
 * trace is drawn from its spans whatever their shape (a parent cycle, a duplicate id, a clock
 * running backwards), at most 200 rows of it.
 */
public final class AuditHtml {

  /** Broken edges whose example is drawn, in the report's order (the most counted first). */
  static final int MAX_EXAMPLES = 10;

  /** Rows of one waterfall; the marked span is drawn even when it comes later. */
  static final int MAX_ROWS = 200;

  private static final int WIDTH = 560;
  private static final int LABEL = 220;
  private static final int RIGHT = WIDTH - 6;
  private static final int ROW = 24;
  private static final int TOP = 26;
  private static final String RED = "#c0392b";
  private static final String[] PALETTE = {
    "#2f7ed8", "#3aa675", "#e0902f", "#8e6bd8", "#d05a8c", "#1b9aaa", "#b5892c", "#5d6d7e"
  };

  private AuditHtml() {}

  /** One row of a waterfall: a span and its depth in its trace's tree. */
  private record Row(ReceivedSpan span, int depth) {}

  /** The span to mark in a waterfall and the words that mark it. */
  private record Mark(String spanId, String text) {
    boolean is(ReceivedSpan s) {
      return spanId != null && spanId.equals(s.spanId());
    }
  }

  /**
   * Renders the page.
   *
   * @param r the report
   * @param maxOrphanRate the highest orphan rate a service may have and pass, a fraction (0.01 for
   *     1 %)
   * @param traceLookup the spans of a trace by its id, as held now; an empty list (or null) when
   *     the trace is no longer held, which the page says
   * @return the HTML document
   * @throws IllegalArgumentException when {@code maxOrphanRate} is negative, NaN or infinite
   */
  public static String render(
      AuditReport r, double maxOrphanRate, Function<String, List<ReceivedSpan>> traceLookup) {
    Objects.requireNonNull(r, "r");
    Objects.requireNonNull(traceLookup, "traceLookup");
    ReportText.checkThreshold(maxOrphanRate);
    String title = "tracelab audit" + (r.spec() == null ? "" : ": " + r.spec());
    StringBuilder h = new StringBuilder(32_768);
    h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(esc(title))
        .append("</title>\n<style>\n")
        .append(
            "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2430;margin:24px;max-width:1500px}\n")
        .append(
            "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px;border-top:1px solid #dde2e8;padding-top:14px}\n")
        .append(
            "h3{font-size:15px;margin:18px 0 6px}code{font:12px ui-monospace,monospace;background:#f2f4f7;padding:0 3px}\n")
        .append(
            "table{border-collapse:collapse;margin:12px 0}th,td{border:1px solid #d5dbe3;padding:4px 9px;text-align:right;vertical-align:top}\n")
        .append(
            "th{background:#f2f4f7}td.name,th.name,td.text{text-align:left}td.text{max-width:560px}\n")
        .append(
            "td.rate.bad{color:#c0392b;font-weight:600}td.rate.warn{color:#b9770e}td.rate.good{color:#1e8449}\n")
        .append(
            ".muted{color:#5a6472}.verdict{font-size:16px;padding:8px 12px;border-radius:6px;display:inline-block}\n")
        .append(
            ".verdict.pass{background:#e8f6ee;color:#1e8449}.verdict.fail{background:#fbeceb;color:#c0392b}\n")
        .append(".pair{display:flex;flex-wrap:wrap;gap:18px;align-items:center}\n")
        .append(
            ".fragment{border:1px solid #d5dbe3;border-radius:6px;padding:8px 10px;background:#fbfcfd;align-self:flex-start}\n")
        .append(
            ".fragment h4{font:600 12px ui-monospace,monospace;margin:0 0 4px}.fragment.orphaned{border-color:#e6a6a0}\n")
        .append(
            ".lost{border-top:2px dashed #c0392b;color:#c0392b;font-size:12px;padding-top:4px;width:110px;text-align:center}\n")
        .append(
            "svg text{font:12px system-ui,sans-serif}svg .axis{stroke:#c9d0d9}svg text.marker{font-weight:600}\n")
        .append("</style></head><body>\n");
    h.append("<h1>tracelab audit");
    if (r.spec() != null) {
      h.append(": <code>").append(esc(r.spec())).append("</code>");
    }
    h.append("</h1>\n<p class=\"muted\">")
        .append(esc(r.tool() + " " + r.version() + ", mode " + r.mode()))
        .append(" · ")
        .append(ReportText.figures(r))
        .append("</p>\n<p class=\"verdict ")
        .append(ReportText.passed(r, maxOrphanRate) ? "pass" : "fail")
        .append("\">")
        .append(
            ReportText.verdict(
                r, maxOrphanRate, v -> "<code>" + esc(v) + "</code>", v -> "<b>" + v + "</b>"))
        .append("</p>\n");
    services(h, r, maxOrphanRate);
    edges(h, r.brokenEdges());
    diagnoses(h, r.diagnoses());
    examples(h, r.brokenEdges(), traceLookup);
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void services(StringBuilder h, AuditReport r, double max) {
    h.append("<h2>Services</h2>\n");
    if (r.services().isEmpty()) {
      h.append("<p class=\"muted\">No service sent spans.</p>\n");
      return;
    }
    h.append(
            "<table class=\"services\"><thead><tr><th class=\"name\">service</th><th>spans</th><th>orphan roots</th>")
        .append("<th>missing parent</th><th>orphan rate</th></tr></thead><tbody>\n");
    for (Map.Entry<String, ServiceFigures> e : r.services().entrySet()) {
      ServiceFigures f = e.getValue();
      String rate = f.orphanRate() > max ? "bad" : f.orphanRate() > 0 ? "warn" : "good";
      h.append("<tr><td class=\"name\">")
          .append(esc(e.getKey()))
          .append("</td><td>")
          .append(f.spans())
          .append("</td><td>")
          .append(f.orphanRoots())
          .append("</td><td>")
          .append(f.missingParentOrphans())
          .append("</td><td class=\"rate ")
          .append(rate)
          .append("\">")
          .append(ReportText.percent(f.orphanRate(), max))
          .append("%</td></tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static void edges(StringBuilder h, List<BrokenEdge> edges) {
    h.append("<h2>Broken edges</h2>\n");
    if (edges.isEmpty()) {
      h.append("<p class=\"muted\">No broken edge.</p>\n");
      return;
    }
    h.append(
            "<table class=\"edges\"><thead><tr><th class=\"name\">edge</th><th>count</th><th class=\"name\">side</th>")
        .append(
            "<th class=\"name\">evidence</th><th class=\"name\">fix</th></tr></thead><tbody>\n");
    for (int i = 0; i < edges.size(); i++) {
      BrokenEdge e = edges.get(i);
      h.append("<tr><td class=\"name\">");
      if (i < MAX_EXAMPLES && e.example() != null) {
        h.append("<a href=\"#edge-")
            .append(i + 1)
            .append("\">")
            .append(esc(ReportText.edgeName(e)))
            .append("</a>");
      } else {
        h.append(esc(ReportText.edgeName(e)));
      }
      h.append("</td><td>")
          .append(e.count())
          .append("</td><td class=\"text\">")
          .append(esc(e.side()))
          .append("</td><td class=\"text\">")
          .append(esc(e.evidence()))
          .append("</td><td class=\"text\">")
          .append(esc(e.fix()))
          .append("</td></tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static void diagnoses(StringBuilder h, List<DiagnosisCount> diagnoses) {
    h.append("<h2>Diagnoses</h2>\n");
    if (diagnoses.isEmpty()) {
      h.append("<p class=\"muted\">No orphan span.</p>\n");
      return;
    }
    h.append(
            "<table class=\"diagnoses\"><thead><tr><th class=\"name\">boundary</th><th class=\"name\">service</th>")
        .append(
            "<th class=\"name\">span</th><th>count</th><th class=\"name\">fix</th></tr></thead><tbody>\n");
    for (DiagnosisCount d : diagnoses) {
      h.append("<tr><td class=\"name\">")
          .append(esc(d.boundary()))
          .append("</td><td class=\"name\">")
          .append(esc(d.service()))
          .append("</td><td class=\"name\">")
          .append(esc(d.span()))
          .append("</td><td>")
          .append(d.count())
          .append("</td><td class=\"text\">")
          .append(esc(d.fix()))
          .append("</td></tr>\n");
    }
    h.append("</tbody></table>\n");
  }

  private static void examples(
      StringBuilder h, List<BrokenEdge> edges, Function<String, List<ReceivedSpan>> traceLookup) {
    int shown = 0;
    for (int i = 0; i < Math.min(MAX_EXAMPLES, edges.size()); i++) {
      BrokenEdge e = edges.get(i);
      BrokenEdge.Example x = e.example();
      if (x == null) {
        continue;
      }
      if (shown++ == 0) {
        h.append(
                "<h2>Examples</h2>\n<p class=\"muted\">The first pair of each broken edge: the caller's trace and")
            .append(
                " the trace its callee started instead, on one time axis from the earlier start.</p>\n");
      }
      List<ReceivedSpan> call = spans(traceLookup, x.callTraceId());
      List<ReceivedSpan> root = spans(traceLookup, x.rootTraceId());
      double t0 = Double.MAX_VALUE;
      double t1 = -Double.MAX_VALUE;
      for (List<ReceivedSpan> trace : List.of(call, root)) {
        for (ReceivedSpan s : trace) {
          t0 = Math.min(t0, s.startEpochNanos());
          t1 = Math.max(t1, Math.max(s.startEpochNanos(), s.endEpochNanos()));
        }
      }
      h.append("<section class=\"example\" id=\"edge-")
          .append(i + 1)
          .append("\"><h3>")
          .append(esc(ReportText.edgeName(e)))
          .append(": ")
          .append(e.count())
          .append(e.count() == 1 ? " call" : " calls")
          .append("</h3>\n<div class=\"pair\">\n");
      fragment(
          h,
          "caller's trace",
          x.callTraceId(),
          call,
          new Mark(x.callSpanId(), "unanswered call"),
          t0,
          t1,
          false);
      h.append("<div class=\"lost\">context lost between these two</div>\n");
      fragment(
          h,
          "callee's orphan trace",
          x.rootTraceId(),
          root,
          new Mark(x.rootSpanId(), "orphan root: " + e.boundary()),
          t0,
          t1,
          true);
      h.append("</div></section>\n");
    }
  }

  private static List<ReceivedSpan> spans(
      Function<String, List<ReceivedSpan>> traceLookup, String traceId) {
    List<ReceivedSpan> spans = traceId == null ? null : traceLookup.apply(traceId);
    return spans == null ? List.of() : spans;
  }

  /** One trace of an example: its heading, then its waterfall, or that it is no longer held. */
  private static void fragment(
      StringBuilder h,
      String what,
      String traceId,
      List<ReceivedSpan> spans,
      Mark mark,
      double t0,
      double t1,
      boolean orphaned) {
    h.append("<div class=\"fragment")
        .append(orphaned ? " orphaned" : "")
        .append("\"><h4>")
        .append(what)
        .append(' ')
        .append(esc(traceId))
        .append("</h4>");
    if (spans.isEmpty()) {
      h.append("<p class=\"muted gone\">trace no longer held</p></div>\n");
      return;
    }
    List<Row> rows = new ArrayList<>();
    List<Row> all = treeOrder(spans);
    for (int i = 0; i < all.size(); i++) {
      if (i < MAX_ROWS || mark.is(all.get(i).span())) {
        rows.add(all.get(i));
      }
    }
    waterfall(h, traceId, rows, mark, t0, Math.max(1, t1 - t0));
    if (rows.size() < all.size()) {
      h.append("<p class=\"muted\">")
          .append(all.size() - rows.size())
          .append(" more spans not drawn</p>");
    }
    h.append("</div>\n");
  }

  private static void waterfall(
      StringBuilder h, String traceId, List<Row> rows, Mark mark, double t0, double range) {
    int height = TOP + rows.size() * ROW + 8;
    h.append("<svg class=\"waterfall\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"trace ")
        .append(esc(traceId))
        .append("\">");
    h.append("<line class=\"axis\" x1=\"")
        .append(LABEL)
        .append("\" y1=\"")
        .append(TOP - 6)
        .append("\" x2=\"")
        .append(RIGHT)
        .append("\" y2=\"")
        .append(TOP - 6)
        .append("\"/><text x=\"")
        .append(LABEL)
        .append("\" y=\"14\" fill=\"#5a6472\">0 ms</text>")
        .append("<text x=\"")
        .append(RIGHT)
        .append("\" y=\"14\" text-anchor=\"end\" fill=\"#5a6472\">")
        .append(String.format(Locale.ROOT, "%.1f ms", range / 1e6))
        .append("</text>");
    double area = RIGHT - LABEL;
    for (int i = 0; i < rows.size(); i++) {
      ReceivedSpan s = rows.get(i).span();
      int y = TOP + i * ROW;
      double x = LABEL + clamp((s.startEpochNanos() - t0) / range, 0, 1) * area;
      double w =
          Math.max(
              2,
              Math.min(
                  RIGHT - x, (s.endEpochNanos() - (double) s.startEpochNanos()) / range * area));
      boolean marked = mark.is(s);
      int indent = Math.min(8, rows.get(i).depth()) * 10;
      String label = s.service() + " " + s.kind() + " " + s.name();
      h.append("<g class=\"row")
          .append(marked ? " marked" : "")
          .append("\"><title>")
          .append(
              esc(
                  label
                      + " — "
                      + String.format(Locale.ROOT, "%.2f ms", s.durationMs())
                      + " — span "
                      + s.spanId()))
          .append("</title><text x=\"")
          .append(4 + indent)
          .append("\" y=\"")
          .append(y + 15)
          .append("\" fill=\"")
          .append(marked ? RED : "#1d2430")
          .append("\">")
          .append(esc(truncate(label, (LABEL - 12 - indent) / 7)))
          .append("</text><rect class=\"span\" x=\"")
          .append(fmt(x))
          .append("\" y=\"")
          .append(y + 4)
          .append("\" width=\"")
          .append(fmt(w))
          .append("\" height=\"")
          .append(ROW - 8)
          .append("\" rx=\"3\" fill=\"")
          .append(color(s.service()))
          .append('"')
          .append(marked ? " stroke=\"" + RED + "\" stroke-width=\"2\"" : "")
          .append("/>");
      if (marked) {
        boolean right = RIGHT - (x + w) >= x - LABEL;
        h.append("<text class=\"marker\" x=\"")
            .append(fmt(right ? x + w + 4 : x - 4))
            .append("\" y=\"")
            .append(y + 15)
            .append(right ? "" : "\" text-anchor=\"end")
            .append("\" fill=\"")
            .append(RED)
            .append("\">")
            .append(esc(mark.text()))
            .append("</text>");
      }
      h.append("</g>");
    }
    h.append("</svg>");
  }

  /**
   * Parents before children, depth first, siblings by start; true roots first, then spans whose
   * parent is absent; then whatever a parent cycle left out. Iterative, each span once.
   */
  private static List<Row> treeOrder(List<ReceivedSpan> spans) {
    Set<String> ids = new HashSet<>();
    for (ReceivedSpan s : spans) {
      ids.add(s.spanId());
    }
    Map<String, List<ReceivedSpan>> children = new HashMap<>();
    List<ReceivedSpan> tops = new ArrayList<>();
    for (ReceivedSpan s : spans) {
      if (s.parentSpanId() == null || !ids.contains(s.parentSpanId())) {
        tops.add(s);
      } else {
        children.computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
      }
    }
    Comparator<ReceivedSpan> byStart = Comparator.comparingLong(ReceivedSpan::startEpochNanos);
    tops.sort(
        Comparator.comparing((ReceivedSpan s) -> s.parentSpanId() != null).thenComparing(byStart));
    children.values().forEach(list -> list.sort(byStart));
    tops.addAll(spans);
    Set<ReceivedSpan> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Row> out = new ArrayList<>(spans.size());
    Deque<Row> stack = new ArrayDeque<>();
    for (ReceivedSpan top : tops) {
      stack.push(new Row(top, 0));
      while (!stack.isEmpty()) {
        Row row = stack.pop();
        if (!seen.add(row.span())) {
          continue;
        }
        out.add(row);
        List<ReceivedSpan> kids = children.getOrDefault(row.span().spanId(), List.of());
        for (int k = kids.size() - 1; k >= 0; k--) {
          stack.push(new Row(kids.get(k), row.depth() + 1));
        }
      }
    }
    return out;
  }

  /** A colour per service, stable across pages. */
  private static String color(String service) {
    return PALETTE[Math.floorMod(Objects.hashCode(service), PALETTE.length)];
  }

  /** At most {@code max} code points, the last one an ellipsis when cut. */
  private static String truncate(String s, int max) {
    int n = Math.max(4, max);
    return s.codePointCount(0, s.length()) <= n
        ? s
        : s.substring(0, s.offsetByCodePoints(0, n - 1)) + "…";
  }

  private static double clamp(double v, double min, double max) {
    return Double.isNaN(v) ? min : Math.max(min, Math.min(max, v));
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /**
   * {@code s} for HTML text or a quoted attribute: characters XML forbids dropped, {@code <>&"'}
   * escaped.
   */
  private static String esc(String s) {
    String v = ReportText.clean(s);
    StringBuilder b = new StringBuilder(v.length() + 16);
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
