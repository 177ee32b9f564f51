// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.orphans.ScenarioReport.DiagnosisCount;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo's table from crafted reports: under each broken row its broken edges with the side to
 * fix, in flow order; the legend under the table; 120 columns at most, the sidecar's included.
 */
class DemoCommandTest {

  static BrokenEdge edge(String from, String to, String boundary, String side) {
    return new BrokenEdge(
        from,
        to,
        boundary,
        200,
        false,
        side,
        "evidence",
        "fix text",
        new BrokenEdge.Example("a", "b", "c", "d"));
  }

  static ScenarioReport report(
      String name,
      String variants,
      double gateway,
      double worker,
      double consumer,
      double connected,
      double linked,
      double fragments,
      List<DiagnosisCount> diagnoses,
      List<BrokenEdge> edges) {
    Map<String, ServiceFigures> services = new LinkedHashMap<>();
    services.put(Flow.GATEWAY, new ServiceFigures(400, 0, 0, 0, gateway));
    services.put(Flow.WORKER, new ServiceFigures(600, 0, 0, 0, worker));
    services.put(Flow.CONSUMER, new ServiceFigures(200, 0, 0, 0, consumer));
    String[] v = variants.split("/");
    return new ScenarioReport(
        name,
        Map.of(Flow.GATEWAY, v[0], Flow.WORKER, v[1], Flow.CONSUMER, v[2]),
        Map.of(),
        false,
        200,
        (int) (connected * 200),
        connected,
        (int) (linked * 200),
        linked,
        fragments,
        services,
        diagnoses,
        edges);
  }

  /**
   * The lab's scenarios as the auditor reports them (its broken edges in the order it counted
   * them).
   */
  static List<ScenarioReport> scenarios() {
    BrokenEdge http = edge(Flow.GATEWAY, Flow.WORKER, "http", "caller");
    BrokenEdge async = edge(Flow.WORKER, Flow.WORKER, "async", "caller");
    BrokenEdge kafka = edge(Flow.WORKER, Flow.CONSUMER, "kafka", "callee");
    return List.of(
        report(
            "all-broken",
            "broken/broken/broken",
            0,
            2.0 / 3,
            1,
            0,
            0,
            4,
            List.of(),
            List.of(kafka, async, http)),
        report(
            "broken-http", "broken/fixed/fixed", 0, 1.0 / 3, 0, 0, 0, 2, List.of(), List.of(http)),
        report(
            "broken-propagators",
            "fixed/fixed/fixed",
            0,
            1.0 / 3,
            0,
            0,
            0,
            2,
            List.of(
                new DiagnosisCount("propagators", Flow.WORKER, Flow.WORKER_SERVER, 200, "align")),
            List.of(http)),
        report("broken-kafka", "fixed/fixed/broken", 0, 0, 1, 0, 0, 2, List.of(), List.of(kafka)),
        report("linked-kafka", "fixed/fixed/linked", 0, 0, 0, 0, 1, 2, List.of(), List.of()),
        report("fixed", "fixed/fixed/fixed", 0, 0, 0, 1, 0, 1, List.of(), List.of()));
  }

  static DemoCommand.Row row(Implementations implementations, ScenarioReport report) {
    return new DemoCommand.Row(
        implementations,
        new ScenarioRunner.Result(
            report, List.of(), 0, 0, new double[0], new double[0], Duration.ZERO));
  }

  @Test
  void eachBrokenRowNamesItsEdgesAndTheSideToFixAndALegendExplainsTheColumns() {
    List<String> table =
        DemoCommand.table(scenarios().stream().map(r -> row(Implementations.JAVA, r)).toList());
    assertThat(table)
        .containsExactly(
            "Orphan % per service (its spans that are orphans), measured by the auditor, on java/java/java (gateway/worker/consumer):",
            "scenario           | variants gw/wk/cons  | gateway | worker | consumer | connected | linked | frag/req",
            "-".repeat(103),
            "all-broken         | broken/broken/broken |    0.0% |  66.7% |   100.0% |      0.0% |   0.0% |     4.00",
            "  broken edge: gateway-svc -> worker-svc (http): fix the caller's inject",
            "  broken edge: worker-svc -> worker-svc (async): fix the hand-off (bind the context at submit)",
            "  broken edge: worker-svc -> consumer-svc (kafka): fix the callee's extract",
            "broken-http        | broken/fixed/fixed   |    0.0% |  33.3% |     0.0% |      0.0% |   0.0% |     2.00",
            "  broken edge: gateway-svc -> worker-svc (http): fix the caller's inject",
            "broken-propagators | fixed/fixed/fixed    |    0.0% |  33.3% |     0.0% |      0.0% |   0.0% |     2.00",
            "  broken edge: gateway-svc -> worker-svc (http): fix OTEL_PROPAGATORS on both sides (configuration)",
            "broken-kafka       | fixed/fixed/broken   |    0.0% |   0.0% |   100.0% |      0.0% |   0.0% |     2.00",
            "  broken edge: worker-svc -> consumer-svc (kafka): fix the callee's extract",
            "linked-kafka       | fixed/fixed/linked   |    0.0% |   0.0% |     0.0% |      0.0% | 100.0% |     2.00",
            "fixed              | fixed/fixed/fixed    |    0.0% |   0.0% |     0.0% |    100.0% |   0.0% |     1.00",
            "-".repeat(103),
            "orphan %: counted on the callee (its span starts the new trace); frag/req: traces per request; linked: via span links");
  }

  @Test
  void theMarkdownReportCarriesTheSameEdgesAndLegend() {
    List<String> table = DemoCommand.table(List.of(row(Implementations.JAVA, scenarios().get(1))));
    String md = DemoCommand.markdown(table);
    assertThat(md)
        .startsWith("# tracelab demo\n\n```\n")
        .endsWith("\n```\n")
        .contains(
            "\nbroken-http        | broken/fixed/fixed   |    0.0% |  33.3% |     0.0% |      0.0% |   0.0% |     2.00\n"
                + "  broken edge: gateway-svc -> worker-svc (http): fix the caller's inject\n")
        .contains(
            "\norphan %: counted on the callee (its span starts the new trace); frag/req: traces per request;"
                + " linked: via span links\n```\n");
  }

  @Test
  void severalCombinationsAndTheSidecarStayWithin120Columns() {
    Implementations withMesh = Implementations.JAVA.withMesh();
    ScenarioReport meshHttp =
        report(
            "broken-http",
            "broken/fixed/fixed",
            0,
            0,
            0,
            0,
            0,
            2,
            List.of(),
            List.of(edge(Flow.GATEWAY, Flow.SIDECAR, "http", "caller")));
    Map<String, ServiceFigures> services = new LinkedHashMap<>(meshHttp.services());
    services.put(Flow.SIDECAR, new ServiceFigures(400, 200, 200, 0, 0.5));
    ScenarioReport withSidecar =
        new ScenarioReport(
            meshHttp.name(),
            meshHttp.variants(),
            Map.of(),
            true,
            200,
            0,
            0,
            0,
            0,
            2,
            services,
            List.of(),
            meshHttp.brokenEdges());
    List<String> table =
        DemoCommand.table(
            List.of(row(Implementations.JAVA, scenarios().get(5)), row(withMesh, withSidecar)));
    assertThat(table)
        .containsExactly(
            "Orphan % per service (its spans that are orphans), measured by the auditor:",
            "scenario           | variants gw/wk/cons  | gateway | worker | consumer | envoy-sidecar | connected | linked | frag/req",
            "-".repeat(119),
            "java/java/java:",
            "fixed              | fixed/fixed/fixed    |    0.0% |   0.0% |     0.0% |             - |    100.0% |   0.0% |     1.00",
            "java/java/java +mesh:",
            "broken-http        | broken/fixed/fixed   |    0.0% |   0.0% |     0.0% |         50.0% |      0.0% |   0.0% |     2.00",
            "  broken edge: gateway-svc -> envoy-sidecar (http): fix the caller's inject",
            "-".repeat(119),
            EdgeText.LEGEND);
    assertThat(table).allMatch(line -> line.length() <= 120);
  }

  @Test
  void anEdgeTheSpecDoesNotSideNamesWhatTheAuditorInferred() {
    ScenarioReport r =
        report(
            "x",
            "fixed/fixed/fixed",
            0,
            0,
            0,
            0,
            0,
            2,
            List.of(),
            List.of(
                edge(Flow.GATEWAY, Flow.WORKER, "http", "between"),
                edge(Flow.WORKER, Flow.CONSUMER, "messaging", "either"),
                new BrokenEdge(
                    Flow.WORKER, Flow.WORKER, "async", 3, true, "either", "e", "f", null)));
    assertThat(EdgeText.of(r))
        .containsExactly(
            "gateway-svc -> worker-svc (http): fix what is between them (a proxy drops the context)",
            "worker-svc -> worker-svc (async, likely): fix the hand-off (bind the context at submit)",
            "worker-svc -> consumer-svc (messaging): fix the caller's inject or the callee's extract");
  }
}
