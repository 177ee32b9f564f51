// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./lab demo --report-html F}: one self-contained page (inline CSS and SVG, no script, no
 * external asset). The before/after table (each broken row with its broken edges and the side to
 * fix, a legend under it), then per scenario the span waterfall of one request: one SVG per trace
 * the request became, side by side under their trace ids, on one time axis; every orphan root
 * marked with the auditor's diagnosis of it.
 */
final class HtmlReport {

  /** One trace of the example request: its id and its spans. */
  record Fragment(String traceId, List<ReceivedSpan> spans) {}

  /**
   * A scenario's figures and the traces of one of its requests (none when no request completed).
   */
  record Section(
      ScenarioReport report, ExpectedFlow flow, String orderId, List<Fragment> fragments) {}

  static final int WIDTH = 520;
  static final int LABEL = 200;
  static final int ROW = 24;
  static final int TOP = 26;
  private static final Map<String, String> COLORS =
      Map.of(
          Flow.FRONTEND,
          "#8e6bd8",
          Flow.GATEWAY,
          "#2f7ed8",
          Flow.WORKER,
          "#3aa675",
          Flow.CONSUMER,
          "#e0902f");

  private HtmlReport() {}

  static String render(String title, String subtitle, List<Section> sections) {
    StringBuilder h = new StringBuilder(32_768);
    h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(esc(title))
        .append("</title>\n<style>\n")
        .append(
            "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2430;margin:24px;max-width:1500px}\n")
        .append(
            "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px;border-top:1px solid #dde2e8;padding-top:14px}\n")
        .append(
            "table{border-collapse:collapse;margin:12px 0}th,td{border:1px solid #d5dbe3;padding:4px 9px;text-align:right}\n")
        .append(
            "th{background:#f2f4f7}td.name,th.name,td.text{text-align:left}td.rate.bad{color:#c0392b;font-weight:600}\n")
        .append(
            "td.rate.good{color:#1e8449}td.edges{font-size:12px}.muted{color:#5a6472}.fragments{display:flex;flex-wrap:wrap;gap:18px}\n")
        .append(
            ".fragment{border:1px solid #d5dbe3;border-radius:6px;padding:8px 10px;background:#fbfcfd}\n")
        .append(
            ".fragment h3{font:600 12px ui-monospace,monospace;margin:0 0 4px}.fragment.orphaned{border-color:#e6a6a0}\n")
        .append("ul.diag{margin:4px 0 0 18px;padding:0;font-size:12px;max-width:")
        .append(WIDTH)
        .append("px}\n")
        .append("svg text{font:12px system-ui,sans-serif}svg .axis{stroke:#c9d0d9}\n")
        .append("</style></head><body>\n");
    h.append("<h1>")
        .append(esc(title))
        .append("</h1>\n<p class=\"muted\">")
        .append(esc(subtitle))
        .append("</p>\n");
    table(h, sections);
    for (Section s : sections) {
      section(h, s);
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void table(StringBuilder h, List<Section> sections) {
    List<String> services = new ArrayList<>();
    for (Section s : sections) {
      for (String svc : s.report().services().keySet()) {
        if (!services.contains(svc)) {
          services.add(svc);
        }
      }
    }
    services.sort(
        Comparator.comparingInt(
            svc -> {
              int i = Flow.PARTICIPANTS.indexOf(svc);
              return i < 0 ? Integer.MAX_VALUE : i;
            }));
    h.append(
        "<table class=\"before-after\"><thead><tr><th class=\"name\">scenario</th><th class=\"name\">variants</th>");
    for (String svc : services) {
      h.append("<th>").append(esc(svc)).append(" orphan %</th>");
    }
    h.append(
        "<th>connected</th><th>linked</th><th>traces per request</th><th>requests</th>"
            + "<th class=\"name\">broken edges: the side to fix</th></tr></thead><tbody>\n");
    for (Section s : sections) {
      ScenarioReport r = s.report();
      boolean good = r.connectedRequests() + r.linkedRequests() == r.requests() && r.requests() > 0;
      h.append("<tr class=\"scenario ")
          .append(good ? "good" : "bad")
          .append("\"><td class=\"name\"><a href=\"#")
          .append(anchor(r.name()))
          .append("\">")
          .append(esc(r.name()))
          .append("</a></td><td class=\"text\">")
          .append(esc(variants(r)))
          .append("</td>");
      for (String svc : services) {
        ScenarioReport.ServiceFigures f = r.services().get(svc);
        h.append("<td class=\"rate ")
            .append(f == null ? "" : f.orphanRate() > 0 ? "bad" : "good")
            .append("\">")
            .append(f == null ? "–" : pct(f.orphanRate()))
            .append("</td>");
      }
      h.append("<td>")
          .append(pct(r.connectedRate()))
          .append("</td><td>")
          .append(pct(r.linkedRate()))
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.2f", r.fragmentsPerRequest()))
          .append("</td><td>")
          .append(r.requests())
          .append("</td><td class=\"text edges\">");
      List<String> edges = EdgeText.of(r);
      for (int i = 0; i < edges.size(); i++) {
        h.append(i == 0 ? "" : "<br>")
            .append("<span class=\"edge\">")
            .append(esc(edges.get(i)))
            .append("</span>");
      }
      h.append("</td></tr>\n");
    }
    h.append("</tbody></table>\n<p class=\"muted legend\">")
        .append(esc(EdgeText.LEGEND))
        .append("</p>\n");
  }

  private static void section(StringBuilder h, Section s) {
    ScenarioReport r = s.report();
    h.append("<section class=\"scenario\" id=\"")
        .append(anchor(r.name()))
        .append("\"><h2>")
        .append(esc(r.name()))
        .append("</h2>\n<p class=\"muted\">");
    if (s.fragments().isEmpty()) {
      h.append("no complete request to show</p></section>\n");
      return;
    }
    int orphans = 0;
    h.append("order ")
        .append(esc(s.orderId()))
        .append(": ")
        .append(s.fragments().size())
        .append(s.fragments().size() == 1 ? " trace" : " traces")
        .append(", ")
        .append(s.fragments().stream().mapToInt(f -> f.spans().size()).sum())
        .append(" spans</p>\n<div class=\"fragments\">\n");
    long t0 = Long.MAX_VALUE;
    long t1 = Long.MIN_VALUE;
    for (Fragment f : s.fragments()) {
      for (ReceivedSpan span : f.spans()) {
        t0 = Math.min(t0, span.startEpochNanos());
        t1 = Math.max(t1, span.endEpochNanos());
      }
    }
    long range = Math.max(1, t1 - t0);
    ExpectedSpan entry = s.flow().entryPoint();
    for (Fragment f : s.fragments()) {
      List<ReceivedSpan> rows = treeOrder(f.spans());
      List<String> diagnoses = new ArrayList<>();
      StringBuilder svg = new StringBuilder();
      int height = TOP + rows.size() * ROW + 8;
      svg.append("<svg class=\"waterfall\" width=\"")
          .append(WIDTH)
          .append("\" height=\"")
          .append(height)
          .append("\" viewBox=\"0 0 ")
          .append(WIDTH)
          .append(' ')
          .append(height)
          .append("\" role=\"img\" aria-label=\"trace ")
          .append(esc(f.traceId()))
          .append("\">");
      svg.append("<line class=\"axis\" x1=\"")
          .append(LABEL)
          .append("\" y1=\"")
          .append(TOP - 6)
          .append("\" x2=\"")
          .append(WIDTH - 6)
          .append("\" y2=\"")
          .append(TOP - 6)
          .append("\"/>");
      svg.append("<text x=\"")
          .append(LABEL)
          .append("\" y=\"14\" fill=\"#5a6472\">0 ms</text><text x=\"")
          .append(WIDTH - 6)
          .append("\" y=\"14\" text-anchor=\"end\" fill=\"#5a6472\">")
          .append(String.format(Locale.ROOT, "%.1f ms", range / 1e6))
          .append("</text>");
      Map<String, Integer> depth = depths(rows);
      for (int i = 0; i < rows.size(); i++) {
        ReceivedSpan span = rows.get(i);
        int y = TOP + i * ROW;
        double x = LABEL + (WIDTH - 6 - LABEL) * (double) (span.startEpochNanos() - t0) / range;
        double w =
            Math.max(
                2,
                (WIDTH - 6 - LABEL)
                    * (double) (span.endEpochNanos() - span.startEpochNanos())
                    / range);
        boolean orphanRoot =
            span.isRoot()
                && !(entry.service().equals(span.service()) && entry.kind() == span.kind())
                && span.links().isEmpty();
        boolean linkedRoot = span.isRoot() && !span.links().isEmpty();
        String color = COLORS.getOrDefault(span.service(), "#7f8c8d");
        int indent = Math.min(6, depth.getOrDefault(span.spanId(), 0)) * 10;
        svg.append("<g class=\"row")
            .append(orphanRoot ? " orphan-root" : "")
            .append(linkedRoot ? " linked-root" : "")
            .append("\"><title>")
            .append(
                esc(
                    span.service()
                        + " "
                        + span.kind()
                        + " "
                        + span.name()
                        + " — "
                        + String.format(Locale.ROOT, "%.2f ms", span.durationMs())
                        + " — span "
                        + span.spanId()))
            .append("</title>");
        svg.append("<text x=\"")
            .append(4 + indent)
            .append("\" y=\"")
            .append(y + 15)
            .append("\" fill=\"")
            .append(orphanRoot ? "#c0392b" : "#1d2430")
            .append("\">")
            .append(orphanRoot ? "⚠ " : linkedRoot ? "↪ " : "")
            .append(esc(shortService(span.service()) + " · " + span.name()))
            .append("</text>");
        svg.append("<rect class=\"span\" x=\"")
            .append(fmt(x))
            .append("\" y=\"")
            .append(y + 4)
            .append("\" width=\"")
            .append(fmt(w))
            .append("\" height=\"")
            .append(ROW - 8)
            .append("\" rx=\"3\" fill=\"")
            .append(color)
            .append('"')
            .append(orphanRoot ? " stroke=\"#c0392b\" stroke-width=\"2\"" : "")
            .append("/>");
        svg.append("</g>");
        if (orphanRoot) {
          orphans++;
          diagnoses.add(diagnosis(r, span));
        }
      }
      svg.append("</svg>");
      h.append("<div class=\"fragment")
          .append(diagnoses.isEmpty() ? "" : " orphaned")
          .append("\"><h3>trace ")
          .append(esc(f.traceId()))
          .append("</h3>")
          .append(svg);
      if (!diagnoses.isEmpty()) {
        h.append("<ul class=\"diag\">");
        for (String d : diagnoses) {
          h.append("<li class=\"diagnosis\">").append(d).append("</li>");
        }
        h.append("</ul>");
      }
      h.append("</div>\n");
    }
    h.append("</div>\n");
    if (orphans == 0 && s.fragments().size() > 1) {
      h.append(
          "<p class=\"muted\">no orphan: the traces are joined by span links (↪: a root that links to its predecessor)</p>\n");
    }
    h.append("</section>\n");
  }

  /** The auditor's diagnosis of an orphan root with this service and span name, as HTML. */
  private static String diagnosis(ScenarioReport r, ReceivedSpan span) {
    for (ScenarioReport.DiagnosisCount d : r.diagnoses()) {
      if (d.service().equals(span.service()) && d.span().equals(span.name())) {
        return "<b>orphan root</b> "
            + esc(span.service() + " '" + span.name() + "'")
            + ": <b>"
            + esc(d.boundary())
            + "</b> — "
            + esc(d.fix());
      }
    }
    return "<b>orphan root</b> "
        + esc(span.service() + " '" + span.name() + "'")
        + ": not diagnosed in this run";
  }

  /**
   * Parents before children (depth first, by start time); spans whose parent is absent come after.
   */
  static List<ReceivedSpan> treeOrder(List<ReceivedSpan> spans) {
    Map<String, List<ReceivedSpan>> children = new LinkedHashMap<>();
    Set<String> ids = new HashSet<>();
    for (ReceivedSpan s : spans) {
      ids.add(s.spanId());
    }
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
    List<ReceivedSpan> out = new ArrayList<>();
    for (ReceivedSpan top : tops) {
      visit(top, children, byStart, out);
    }
    return out;
  }

  private static void visit(
      ReceivedSpan s,
      Map<String, List<ReceivedSpan>> children,
      Comparator<ReceivedSpan> order,
      List<ReceivedSpan> out) {
    out.add(s);
    List<ReceivedSpan> kids = new ArrayList<>(children.getOrDefault(s.spanId(), List.of()));
    kids.sort(order);
    for (ReceivedSpan k : kids) {
      visit(k, children, order, out);
    }
  }

  private static Map<String, Integer> depths(List<ReceivedSpan> rows) {
    Map<String, Integer> depth = new LinkedHashMap<>();
    for (ReceivedSpan s : rows) { // parents come first
      Integer parent = s.parentSpanId() == null ? null : depth.get(s.parentSpanId());
      depth.put(s.spanId(), parent == null ? 0 : parent + 1);
    }
    return depth;
  }

  private static String variants(ScenarioReport r) {
    List<String> parts = new ArrayList<>();
    for (String svc : Flow.PARTICIPANTS) {
      if (r.variants().containsKey(svc)) {
        parts.add(shortService(svc) + " " + r.variants().get(svc));
      }
    }
    return String.join(", ", parts);
  }

  private static String shortService(String service) {
    return service.endsWith("-svc") ? service.substring(0, service.length() - 4) : service;
  }

  private static String anchor(String name) {
    return "scenario-" + name.replaceAll("[^A-Za-z0-9-]", "-");
  }

  private static String pct(double rate) {
    return String.format(Locale.ROOT, "%.1f%%", rate * 100);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
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
