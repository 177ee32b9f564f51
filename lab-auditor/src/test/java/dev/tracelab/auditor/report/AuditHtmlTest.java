// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.report;

import static dev.tracelab.auditor.report.CraftedReports.CALL_TRACE;
import static dev.tracelab.auditor.report.CraftedReports.HOSTILE;
import static dev.tracelab.auditor.report.CraftedReports.MAX;
import static dev.tracelab.auditor.report.CraftedReports.ROOT_SPAN;
import static dev.tracelab.auditor.report.CraftedReports.ROOT_TRACE;
import static dev.tracelab.auditor.report.CraftedReports.span;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AuditHtmlTest {

  private static final Pattern SVG = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL);
  private static final Pattern MARKED =
      Pattern.compile("<g class=\"row marked\">.*?</g>", Pattern.DOTALL);

  @Test
  void pageHasTheVerdictTheTablesAndOneExamplePerEdge() {
    Map<String, List<ReceivedSpan>> traces = CraftedReports.exampleTraces("frontend", "customer");
    String html = AuditHtml.render(CraftedReports.broken(), MAX, traces::get);

    assertThat(html)
        .startsWith(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tracelab audit: shop</title>")
        .contains("<h1>tracelab audit: <code>shop</code></h1>")
        .contains(
            "<p class=\"muted\">tracelab dev, mode spec · 8 traces, 2 connected; 6 requests: 0 connected, 0 linked,"
                + " 2.00 traces per request.</p>")
        .contains(
            "<p class=\"verdict fail\"><b>FAIL</b>: orphan rate above 1.0% in <code>customer</code> (100.0%).</p>")
        .contains(
            "<tr><td class=\"name\">frontend</td><td>12</td><td>0</td><td>0</td><td class=\"rate good\">0.0%</td></tr>")
        .contains(
            "<tr><td class=\"name\">customer</td><td>6</td><td>6</td><td>0</td><td class=\"rate bad\">100.0%</td></tr>")
        .contains(
            "<tr><td class=\"name\">driver</td><td>200</td><td>0</td><td>1</td><td class=\"rate warn\">0.5%</td></tr>")
        .contains(
            "<tr><td class=\"name\"><a href=\"#edge-1\">frontend -&gt; customer (http)</a></td><td>6</td>"
                + "<td class=\"text\">callee</td><td class=\"text\">6 unanswered CLIENT &#39;GET&#39; spans &lt;-&gt; 6 root SERVER"
                + " &#39;GET /customer&#39;</td><td class=\"text\">The callee customer must extract the trace context.</td></tr>")
        .contains(
            "<tr><td class=\"name\">http</td><td class=\"name\">customer</td><td class=\"name\">GET /customer</td>"
                + "<td>6</td><td class=\"text\">A SERVER span of customer started a new trace.</td></tr>")
        .contains(
            "<section class=\"example\" id=\"edge-1\"><h3>frontend -&gt; customer (http): 6 calls</h3>")
        .contains("<h4>caller's trace " + CALL_TRACE + "</h4>")
        .contains("<h4>callee's orphan trace " + ROOT_TRACE + "</h4>")
        .contains("<div class=\"lost\">context lost between these two</div>")
        .doesNotContain("<script")
        .doesNotContain("http://")
        .doesNotContain("https://")
        .doesNotContain("src=");
    assertThat(html.indexOf("caller's trace"))
        .isLessThan(html.indexOf("context lost"))
        .isLessThan(html.indexOf("callee's orphan"));

    List<String> svgs = all(SVG, html);
    assertThat(svgs).hasSize(2);
    // the caller's trace: its server root, then the unanswered call, marked
    String caller = svgs.get(0);
    assertThat(caller).contains(">frontend SERVER GET /dispatch</text>");
    assertThat(all(MARKED, caller))
        .singleElement()
        .satisfies(
            row ->
                assertThat(row)
                    .contains(
                        ">frontend CLIENT GET</text>",
                        "stroke=\"#c0392b\"",
                        ">unanswered call</text>"));
    // the callee's orphan trace: its root marked with the boundary, the child indented under it
    String callee = svgs.get(1);
    assertThat(all(MARKED, callee))
        .singleElement()
        .satisfies(
            row ->
                assertThat(row)
                    .contains(
                        "span " + ROOT_SPAN + "</title>",
                        ">customer SERVER GET /customer</text>",
                        "stroke=\"#c0392b\"",
                        ">orphan root: http</text>"));
    assertThat(callee)
        .contains("<text x=\"14\" y=\"65\" fill=\"#1d2430\">customer CLIENT SELECT</text>");
    // one time axis, from the earlier start (the caller's, 0 to 100 ms over x 220..554)
    assertThat(caller)
        .contains(">100.0 ms</text>")
        .contains("<rect class=\"span\" x=\"220.0\" y=\"30\" width=\"334.0\"");
    assertThat(callee)
        .contains(">100.0 ms</text>")
        .contains(
            "<rect class=\"span\" x=\"" + x(12) + "\" y=\"30\" width=\"" + fmt(46 * 3.34) + "\"");
  }

  @Test
  void anEvictedTraceIsSaidToBeNoLongerHeld() {
    Map<String, List<ReceivedSpan>> traces = CraftedReports.exampleTraces("frontend", "customer");
    String html =
        AuditHtml.render(
            CraftedReports.broken(), MAX, id -> id.equals(ROOT_TRACE) ? List.of() : traces.get(id));

    assertThat(html)
        .contains(
            "<h4>callee's orphan trace "
                + ROOT_TRACE
                + "</h4><p class=\"muted gone\">trace no longer held</p></div>");
    assertThat(all(SVG, html)).singleElement().asString().contains(">unanswered call</text>");
    assertThat(AuditHtml.render(CraftedReports.broken(), MAX, id -> null))
        .contains("trace no longer held")
        .doesNotContain("<svg");
  }

  @Test
  void hostileValuesAreEscapedEverywhere() {
    Map<String, List<ReceivedSpan>> traces = CraftedReports.exampleTraces(HOSTILE, HOSTILE);
    String html = AuditHtml.render(CraftedReports.hostile(), MAX, traces::get);

    assertThat(html.toLowerCase(Locale.ROOT)).doesNotContain("<script");
    assertThat(html)
        .contains(
            "<title>tracelab audit: &quot;&lt;script&gt;alert(1)&lt;/script&gt;|\n&amp;</title>")
        .contains(
            "<td class=\"name\">&quot;&lt;script&gt;alert(1)&lt;/script&gt;|\n&amp;</td><td>6</td>")
        .contains("in <code>&quot;&lt;script&gt;alert(1)&lt;/script&gt;|\n&amp;</code> (100.0%)")
        .contains(
            "<title>&quot;&lt;script&gt;alert(1)&lt;/script&gt;|\n&amp; SERVER GET /customer — ");
    // no tag other than the page's own
    assertThat(all(Pattern.compile("<(/?[a-z0-9!]+)"), html))
        .allMatch(
            t ->
                t.matches(
                    "<(!doctype|/?(html|head|meta|title|style|body|h[1-4]|p|b|code|table|thead|tbody|tr|th|td|a|section"
                        + "|div|svg|line|text|g|rect))"),
            "the page's own tags");
  }

  @Test
  void atMostTenExamplesAreDrawn() {
    List<BrokenEdge> edges = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      edges.add(CraftedReports.edge("frontend", "callee" + i, "e", "f"));
    }
    AuditReport r =
        new AuditReport(
            "tracelab",
            "dev",
            "entry",
            null,
            12,
            0,
            null,
            null,
            null,
            null,
            Map.of("frontend", new ServiceFigures(1, 0, 0, 0, 0)),
            edges,
            List.of());
    List<String> looked = new ArrayList<>();
    Map<String, List<ReceivedSpan>> traces = CraftedReports.exampleTraces("frontend", "callee");

    String html =
        AuditHtml.render(
            r,
            MAX,
            id -> {
              looked.add(id);
              return traces.get(id);
            });

    assertThat(looked).hasSize(20);
    assertThat(all(Pattern.compile("<section class=\"example\""), html)).hasSize(10);
    assertThat(html)
        .contains("<a href=\"#edge-10\">frontend -&gt; callee9 (http)</a>")
        .contains("<td class=\"name\">frontend -&gt; callee10 (http)</td>")
        .doesNotContain("edge-11");
  }

  @Test
  void aDeepOrCyclicTraceIsDrawnBoundedWithItsMarkedSpan() {
    List<ReceivedSpan> chain = new ArrayList<>();
    chain.add(span(CALL_TRACE, id(0), null, "frontend", SpanKind.SERVER, "root", 0, 100));
    for (int i = 1; i < 5_000; i++) {
      chain.add(
          span(CALL_TRACE, id(i), id(i - 1), "frontend", SpanKind.INTERNAL, "step" + i, 0, 100));
    }
    chain.add(
        span(
            CALL_TRACE,
            CraftedReports.CALL_SPAN,
            id(4_999),
            "frontend",
            SpanKind.CLIENT,
            "GET",
            10,
            60));
    chain.add(
        span(
            CALL_TRACE,
            "c000000000000001",
            "c000000000000002",
            "frontend",
            SpanKind.INTERNAL,
            "cycle-a",
            0,
            1));
    chain.add(
        span(
            CALL_TRACE,
            "c000000000000002",
            "c000000000000001",
            "frontend",
            SpanKind.INTERNAL,
            "cycle-b",
            0,
            1));
    Map<String, List<ReceivedSpan>> traces =
        Map.of(
            CALL_TRACE,
            chain,
            ROOT_TRACE,
            CraftedReports.exampleTraces("frontend", "customer").get(ROOT_TRACE));

    String html = AuditHtml.render(CraftedReports.broken(), MAX, traces::get);

    String caller = all(SVG, html).get(0);
    assertThat(all(Pattern.compile("<g class=\"row"), caller)).hasSize(AuditHtml.MAX_ROWS + 1);
    assertThat(all(MARKED, caller)).singleElement().asString().contains(">unanswered call</text>");
    assertThat(html)
        .contains(
            "<p class=\"muted\">"
                + (chain.size() - AuditHtml.MAX_ROWS - 1)
                + " more spans not drawn</p>");
  }

  private static String id(int i) {
    return String.format(Locale.ROOT, "%016x", i + 1);
  }

  /** The x of a span starting {@code ms} after the axis' start (0..100 ms over x 220..554). */
  private static String x(double ms) {
    return fmt(220 + ms * 3.34);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static List<String> all(Pattern p, String s) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(s);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }
}
