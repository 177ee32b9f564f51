// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Scenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CI gate's logic on the embedded lab: fixed passes, every broken scenario fails for the right
 * reason.
 */
class OrphanGateTest {

  private final EmbeddedLab lab = EmbeddedLab.get();

  @Test
  void fixedPassesWithNoOrphansOver200Requests() {
    ScenarioRunner.Result result =
        new ScenarioRunner(lab.env(), 8).run(Scenario.FIXED, 200, n -> {});

    assertThat(result.failedRequests()).isZero();
    assertThat(result.incompleteRequests()).isZero();
    LabScenarios.assertGatePasses(result.report(), 200);
  }

  @ParameterizedTest
  @EnumSource(
      value = Scenario.class,
      names = {"FIXED", "LINKED_KAFKA"},
      mode = EnumSource.Mode.EXCLUDE)
  void eachBrokenScenarioFailsNamingItsBoundaryAndService(Scenario scenario) {
    int requests = 40;
    ScenarioRunner.Result result =
        new ScenarioRunner(lab.env(), 8).run(scenario, requests, n -> {});
    assertThat(result.failedRequests()).isZero();
    assertThat(result.incompleteRequests()).isZero();

    LabScenarios.assertGateFails(scenario, result.report(), requests);
  }

  @Test
  void linkedKafkaPassesWithTwoTracesPerRequestJoinedByALink() {
    int requests = 40;
    ScenarioRunner.Result result =
        new ScenarioRunner(lab.env(), 8).run(Scenario.LINKED_KAFKA, requests, n -> {});
    assertThat(result.failedRequests()).isZero();
    assertThat(result.incompleteRequests()).isZero();
    LabScenarios.assertGatePassesLinked(
        dev.tracelab.flow.Flow.JAVA, Scenario.LINKED_KAFKA, result.report(), requests);
  }
}
