package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The CI gate's logic on the embedded lab: fixed passes, every broken scenario fails for the right reason. */
class OrphanGateTest {

  private final EmbeddedLab lab = EmbeddedLab.get();

  @Test
  void fixedPassesWithNoOrphansOver200Requests() {
    ScenarioRunner.Result result = new ScenarioRunner(lab.env(), 8).run(Scenario.FIXED, 200, n -> { });

    assertThat(result.failedRequests()).isZero();
    assertThat(result.incompleteRequests()).isZero();
    LabScenarios.assertGatePasses(result.report(), 200);
  }

  /**
   * Broken-propagators is left out here: its figures (the worker's SERVER span orphaned once per
   * request) are asserted in {@link PolyglotLabTest}; the diagnosis naming the propagators
   * boundary needs the auditor to know each service's OTEL_PROPAGATORS, which it does not yet.
   */
  @ParameterizedTest
  @EnumSource(value = Scenario.class, names = {"FIXED", "BROKEN_PROPAGATORS"}, mode = EnumSource.Mode.EXCLUDE)
  void eachBrokenScenarioFailsNamingItsBoundaryAndService(Scenario scenario) {
    int requests = 40;
    ScenarioRunner.Result result = new ScenarioRunner(lab.env(), 8).run(scenario, requests, n -> { });
    assertThat(result.failedRequests()).isZero();
    assertThat(result.incompleteRequests()).isZero();

    LabScenarios.assertGateFails(scenario, result.report(), requests);
  }
}
