// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.orphans.ScenarioReport.DiagnosisCount;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.env.browser.BrowserPage;
import dev.tracelab.env.browser.Chromium;
import dev.tracelab.flow.Flow;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report rendered in a real Chromium: exactly one table row per scenario, one SVG
 * waterfall per trace of each example request, one bar per span, every orphan root marked with its
 * diagnosis, and nothing loaded from anywhere (no request leaves the page).
 */
class HtmlReportTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private static ReceivedSpan span(
      String trace,
      String id,
      String parent,
      String service,
      SpanKind kind,
      String name,
      long startMs,
      long endMs,
      List<ReceivedSpan.Link> links) {
    return new ReceivedSpan(
        pad(trace, 32),
        pad(id, 16),
        parent == null ? null : pad(parent, 16),
        service,
        kind,
        name,
        startMs * 1_000_000,
        endMs * 1_000_000,
        false,
        Map.of("app.order_id", "o"),
        links);
  }

  private static String pad(String s, int n) {
    return "0".repeat(n - s.length()) + s;
  }

  /**
   * The six spans of one request, trace ids per step as given (a new id = a cut; its span a root).
   */
  private static List<HtmlReport.Fragment> request(String[] traces, boolean linkConsumer) {
    String[][] steps = {
      {Flow.GATEWAY, "SERVER", Flow.GATEWAY_SERVER}, {Flow.GATEWAY, "CLIENT", Flow.GATEWAY_CLIENT},
      {Flow.WORKER, "SERVER", Flow.WORKER_SERVER}, {Flow.WORKER, "INTERNAL", Flow.DEFERRED_WORK},
      {Flow.WORKER, "PRODUCER", Flow.PRODUCE}, {Flow.CONSUMER, "CONSUMER", Flow.PROCESS}
    };
    Map<String, List<ReceivedSpan>> byTrace = new LinkedHashMap<>();
    for (int i = 0; i < steps.length; i++) {
      boolean cut = i == 0 || !traces[i].equals(traces[i - 1]);
      List<ReceivedSpan.Link> links =
          linkConsumer && i == 5
              ? List.of(new ReceivedSpan.Link(pad(traces[4], 32), pad("5", 16)))
              : List.of();
      byTrace
          .computeIfAbsent(traces[i], k -> new ArrayList<>())
          .add(
              span(
                  traces[i],
                  String.valueOf(i + 1),
                  cut ? null : String.valueOf(i),
                  steps[i][0],
                  SpanKind.valueOf(steps[i][1]),
                  steps[i][2],
                  10L * i,
                  10L * i + 40,
                  links));
    }
    return byTrace.entrySet().stream()
        .map(e -> new HtmlReport.Fragment(pad(e.getKey(), 32), e.getValue()))
        .toList();
  }

  private static ScenarioReport report(
      String name,
      int connected,
      double fragments,
      List<DiagnosisCount> diagnoses,
      List<BrokenEdge> edges) {
    Map<String, ServiceFigures> services = new LinkedHashMap<>();
    services.put(Flow.GATEWAY, new ServiceFigures(2, 0, 0, 0, 0));
    services.put(Flow.WORKER, new ServiceFigures(3, 1, 1, 0, 1.0 / 3));
    services.put(Flow.CONSUMER, new ServiceFigures(1, 0, 0, 0, 0));
    return new ScenarioReport(
        name,
        Map.of(Flow.GATEWAY, "fixed"),
        Map.of(),
        false,
        1,
        connected,
        connected,
        0,
        0,
        fragments,
        services,
        diagnoses,
        edges);
  }

  static List<HtmlReport.Section> sections() {
    return List.of(
        new HtmlReport.Section(
            report(
                "all-broken",
                0,
                4,
                List.of(
                    new DiagnosisCount(
                        "http", Flow.WORKER, Flow.WORKER_SERVER, 1, "inject <the> context"),
                    new DiagnosisCount("async", Flow.WORKER, Flow.DEFERRED_WORK, 1, "bind it"),
                    new DiagnosisCount("kafka", Flow.CONSUMER, Flow.PROCESS, 1, "extract it")),
                List.of(
                    DemoCommandTest.edge(Flow.WORKER, Flow.CONSUMER, "kafka", "callee"),
                    DemoCommandTest.edge(Flow.GATEWAY, Flow.WORKER, "http", "caller"),
                    DemoCommandTest.edge(Flow.WORKER, Flow.WORKER, "async", "caller"))),
            Flow.JAVA,
            "o",
            request(new String[] {"a", "a", "b", "c", "c", "d"}, false)),
        new HtmlReport.Section(
            report(
                "broken-http",
                0,
                2,
                List.of(
                    new DiagnosisCount(
                        "http", Flow.WORKER, Flow.WORKER_SERVER, 1, "inject the context")),
                List.of(DemoCommandTest.edge(Flow.GATEWAY, Flow.WORKER, "http", "caller"))),
            Flow.JAVA,
            "o",
            request(new String[] {"e", "e", "f", "f", "f", "f"}, false)),
        new HtmlReport.Section(
            report("linked-kafka", 0, 2, List.of(), List.of()),
            Flow.JAVA,
            "o",
            request(new String[] {"1a", "1a", "1a", "1a", "1a", "1b"}, true)),
        new HtmlReport.Section(
            report("fixed", 1, 1, List.of(), List.of()),
            Flow.JAVA,
            "o",
            request(new String[] {"2a", "2a", "2a", "2a", "2a", "2a"}, false)));
  }

  @Test
  void eachBrokenRowNamesItsEdgesAndTheSideToFixAndALegendFollowsTheTable() {
    List<ScenarioReport> scenarios = DemoCommandTest.scenarios();
    String html =
        HtmlReport.render(
            "tracelab demo",
            "s",
            List.of(
                new HtmlReport.Section(scenarios.get(0), Flow.JAVA, null, List.of()),
                new HtmlReport.Section(scenarios.get(2), Flow.JAVA, null, List.of()),
                new HtmlReport.Section(scenarios.get(5), Flow.JAVA, null, List.of())));
    assertThat(html)
        .contains(
            "<th>traces per request</th><th>requests</th><th class=\"name\">broken edges: the side to fix</th></tr>")
        .contains(
            "<td>4.00</td><td>200</td><td class=\"text edges\">"
                + "<span class=\"edge\">gateway-svc -&gt; worker-svc (http): fix the caller&#39;s inject</span><br>"
                + "<span class=\"edge\">worker-svc -&gt; worker-svc (async): fix the hand-off (bind the context at submit)</span><br>"
                + "<span class=\"edge\">worker-svc -&gt; consumer-svc (kafka): fix the callee&#39;s extract</span></td></tr>\n")
        .contains(
            "<td>2.00</td><td>200</td><td class=\"text edges\">"
                + "<span class=\"edge\">gateway-svc -&gt; worker-svc (http): fix OTEL_PROPAGATORS on both sides (configuration)</span>"
                + "</td></tr>\n")
        .contains(
            "<td>1.00</td><td>200</td><td class=\"text edges\"></td></tr>\n</tbody></table>\n"
                + "<p class=\"muted legend\">orphan %: counted on the callee (its span starts the new trace);"
                + " frag/req: traces per request; linked: via span links</p>\n");
  }

  @Test
  void theReportRendersInChromiumWithExactlyItsRowsWaterfallsBarsAndMarkedOrphans()
      throws Exception {
    Path chromium = Chromium.find().orElse(null);
    if (chromium == null) {
      String reason =
          "rendering the report needs Chromium (apt-get install chromium, or set TRACELAB_CHROMIUM)";
      if ("required".equals(System.getProperty("tracelab.browser"))) {
        throw new AssertionError(reason + " and -Dtracelab.browser=required is set");
      }
      Assumptions.abort(reason);
    }
    String html = HtmlReport.render("tracelab demo", "test <page>", sections());
    Path file = Files.writeString(dir.resolve("report.html"), html);
    assertThat(html).doesNotContain("http://", "https://", "<script", "<link", "<img", "url(");

    try (Chromium browser = Chromium.launch(chromium)) {
      BrowserPage page = browser.newPage(1300, 900).open(file.toUri(), WAIT);
      JsonNode counts =
          page.evaluate(
              "({"
                  + " rows: document.querySelectorAll('table.before-after tbody tr').length,"
                  + " badRows: document.querySelectorAll('tr.scenario.bad').length,"
                  + " sections: document.querySelectorAll('section.scenario').length,"
                  + " svgs: document.querySelectorAll('svg.waterfall').length,"
                  + " drawn: [...document.querySelectorAll('svg.waterfall')].filter(s => s.getBoundingClientRect().width === 520).length,"
                  + " bars: document.querySelectorAll('svg.waterfall rect.span').length,"
                  + " drawnBars: [...document.querySelectorAll('rect.span')].filter(r => r.getBBox().width >= 2).length,"
                  + " orphans: document.querySelectorAll('g.orphan-root').length,"
                  + " linked: document.querySelectorAll('g.linked-root').length,"
                  + " diagnoses: [...document.querySelectorAll('li.diagnosis')].map(li => li.textContent),"
                  + " traceHeadings: [...document.querySelectorAll('.fragment h3')].map(h => h.textContent),"
                  + " edges: [...document.querySelectorAll('tr.scenario td.edges')].map(td => td.innerText),"
                  + " legend: document.querySelector('table.before-after + p.legend').textContent,"
                  + " resources: performance.getEntriesByType('resource').length,"
                  + " title: document.title })");

      assertThat(counts.get("rows").asInt()).isEqualTo(4);
      assertThat(counts.get("badRows").asInt()).isEqualTo(3);
      assertThat(counts.get("sections").asInt()).isEqualTo(4);
      assertThat(counts.get("svgs").asInt()).isEqualTo(4 + 2 + 2 + 1);
      assertThat(counts.get("drawn").asInt()).isEqualTo(9);
      assertThat(counts.get("bars").asInt()).isEqualTo(24);
      assertThat(counts.get("drawnBars").asInt()).isEqualTo(24);
      assertThat(counts.get("orphans").asInt()).isEqualTo(3 + 1);
      assertThat(counts.get("linked").asInt()).isEqualTo(1);
      List<String> diagnoses = new ArrayList<>();
      counts.get("diagnoses").forEach(d -> diagnoses.add(d.asText()));
      assertThat(diagnoses)
          .containsExactly(
              "orphan root worker-svc 'POST /work': http — inject <the> context",
              "orphan root worker-svc 'order.prepare': async — bind it",
              "orphan root consumer-svc 'process orders': kafka — extract it",
              "orphan root worker-svc 'POST /work': http — inject the context");
      List<String> edges = new ArrayList<>();
      counts.get("edges").forEach(e -> edges.add(e.asText()));
      assertThat(edges)
          .containsExactly(
              "gateway-svc -> worker-svc (http): fix the caller's inject\n"
                  + "worker-svc -> worker-svc (async): fix the hand-off (bind the context at submit)\n"
                  + "worker-svc -> consumer-svc (kafka): fix the callee's extract",
              "gateway-svc -> worker-svc (http): fix the caller's inject",
              "",
              "");
      assertThat(counts.get("legend").asText()).isEqualTo(EdgeText.LEGEND);
      assertThat(counts.get("traceHeadings").get(0).asText()).isEqualTo("trace " + pad("a", 32));
      assertThat(counts.get("resources").asInt()).isZero();
      assertThat(counts.get("title").asText()).isEqualTo("tracelab demo");
      page.screenshot(dir.resolve("report.png"));
      assertThat(Files.size(dir.resolve("report.png"))).isPositive();
    }
  }
}
