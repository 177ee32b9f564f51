// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shared scenarios ({@link LabScenarios}) against the lab in containers: Kafka from the
 * official image via Testcontainers, the services and the auditor from the project's images: the
 * all-Java combination, then the all-non-Java one (Go gateway, Node.js worker, Go consumer) fixed
 * and all-broken, each against its combination's expected flow. Skipped, with the reason, without
 * Docker or without the images (failed instead under {@code -Dtracelab.containers=required}).
 */
@ExtendWith(ContainerLabAvailable.class)
@ExtendWith(ContainerLabTest.LogsOnFailure.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerLabTest {

  private static final int GATE_REQUESTS = 20;
  private static ContainerLab lab;
  private static LabScenarios scenarios;

  @BeforeAll
  static void startLab() {
    lab = ContainerLab.start(Scenario.FIXED);
    scenarios = new LabScenarios(lab);
  }

  @AfterAll
  static void stopLab() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  @Order(1)
  void fixedRequestIsOneTraceOfSixSpansWithTheFlowsParentChain() {
    lab.use(Scenario.FIXED);
    Orders.Accepted accepted = scenarios.orders().place(Map.of("sku", "ABC-1", "quantity", 2));

    scenarios.assertConnected(accepted);
  }

  @ParameterizedTest
  @EnumSource(Scenario.class)
  @Order(2)
  void eachScenarioYieldsExactlyItsFragments(Scenario scenario) {
    scenarios.assertScenarioFragments(scenario);
  }

  @ParameterizedTest
  @EnumSource(
      value = Scenario.class,
      names = {"FIXED", "BROKEN_ASYNC"})
  @Order(3)
  void orphanGateOnTheAuditorsReport(Scenario scenario) {
    lab.freshRun(scenario);
    List<Orders.Accepted> orders = new ArrayList<>();
    for (int i = 0; i < GATE_REQUESTS; i++) {
      orders.add(scenarios.orders().place(Map.of("sku", "GATE-" + i, "quantity", i + 1)));
    }
    String[] newTraces = scenarios.newTracesAt(scenario.brokenBoundaries());
    for (Orders.Accepted order : orders) {
      scenarios.request(order).matchesSpecBrokenAt(newTraces);
    }

    var report = scenarios.auditor().report();

    if (scenario == Scenario.FIXED) {
      LabScenarios.assertGatePasses(report, GATE_REQUESTS);
    } else {
      LabScenarios.assertGateFails(scenario, report, GATE_REQUESTS);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Scenario.class,
      names = {"FIXED", "ALL_BROKEN"})
  @Order(4)
  void polyglotCombinationYieldsExactlyItsScenariosFragments(Scenario scenario) {
    LabScenarios polyglot = new LabScenarios(lab, Implementations.POLYGLOT);

    polyglot.assertScenarioFragments(scenario);
  }

  @Test
  @Order(5)
  void polyglotFixedRequestIsOneConnectedTreeOfItsFlow() {
    LabScenarios polyglot = new LabScenarios(lab, Implementations.POLYGLOT);
    polyglot.use(Scenario.FIXED);
    Orders.Accepted accepted = polyglot.orders().place(Map.of("sku", "ABC-1", "quantity", 2));

    polyglot.assertConnected(accepted);
  }

  /** A failing test prints the containers' logs. */
  static final class LogsOnFailure implements TestWatcher {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (lab != null) {
        System.out.println(
            "===== container logs after failure of "
                + context.getDisplayName()
                + "\n"
                + lab.logs());
      }
    }
  }
}
