package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.orphans.OrphanGate;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.env.ScenarioRunner;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The CI gate's logic on the embedded lab: fixed passes, every broken scenario fails for the right reason. */
class OrphanGateTest {

  private final EmbeddedLab lab = EmbeddedLab.get();

  @Test
  void fixedPassesWithNoOrphansOver200Requests() {
    ScenarioRunner.Result result = new ScenarioRunner(lab.env(), 8).run(Scenario.FIXED, 200, n -> { });

    OrphanGate.Verdict verdict = OrphanGate.evaluate(result.report(), OrphanGate.DEFAULT_MAX_ORPHAN_RATE);

    assertThat(result.failedRequests()).isZero();
    assertThat(result.incompleteRequests()).isZero();
    assertThat(result.report().requests()).isEqualTo(200);
    assertThat(result.report().connectedRequests()).isEqualTo(200);
    assertThat(result.report().fragmentsPerRequest()).isEqualTo(1.0);
    assertThat(result.report().services().values())
        .allSatisfy(f -> assertThat(f.orphanRate()).isLessThan(0.01));
    assertThat(verdict.passed()).as(String.join("\n", verdict.lines())).isTrue();
  }

  @ParameterizedTest
  @EnumSource(value = Scenario.class, names = "FIXED", mode = EnumSource.Mode.EXCLUDE)
  void eachBrokenScenarioFailsNamingItsBoundaryAndService(Scenario scenario) {
    int requests = 40;
    ScenarioRunner.Result result = new ScenarioRunner(lab.env(), 8).run(scenario, requests, n -> { });
    ScenarioReport report = result.report();
    assertThat(result.failedRequests()).isZero();
    assertThat(result.incompleteRequests()).isZero();

    OrphanGate.Verdict verdict = OrphanGate.evaluate(report, OrphanGate.DEFAULT_MAX_ORPHAN_RATE);

    assertThat(verdict.passed()).isFalse();
    Set<String> orphanServices =
        scenario.brokenBoundaries().stream().map(Boundary::orphanService).collect(Collectors.toSet());
    assertThat(verdict.failingServices()).containsExactlyInAnyOrderElementsOf(orphanServices);
    // one orphan root per request per broken boundary, at the span SPEC §3 names
    List<ScenarioReport.DiagnosisCount> expected =
        scenario.brokenBoundaries().stream()
            .map(b -> new ScenarioReport.DiagnosisCount(
                b.id(), b.orphanService(), Flow.step(b.rootStep()).name(), requests, null))
            .toList();
    assertThat(verdict.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(verdict.diagnoses()).allSatisfy(d -> assertThat(d.fix()).contains("Fix: "));
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.fragmentsPerRequest()).isEqualTo(scenario.expectedFragments().size());
    Map<String, Double> expectedRates = Map.of(
        Flow.GATEWAY, 0.0,
        Flow.WORKER, scenario.brokenBoundaries().stream().filter(b -> b.orphanService().equals(Flow.WORKER)).count() / 3.0,
        Flow.CONSUMER, scenario.brokenBoundaries().contains(Boundary.KAFKA) ? 1.0 : 0.0);
    expectedRates.forEach((service, rate) ->
        assertThat(report.services().get(service).orphanRate()).as(service).isCloseTo(rate, org.assertj.core.data.Offset.offset(1e-9)));
  }
}
