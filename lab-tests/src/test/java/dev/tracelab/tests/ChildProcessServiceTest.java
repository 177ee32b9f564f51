// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.service.RunningService;
import dev.tracelab.env.service.ServiceImplementation;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A role run as a child process gives the same traces as in-process: the worker as a child JVM (its
 * main class, configured only by environment variables), gateway and consumer in this JVM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChildProcessServiceTest {

  private static LabEnvironment env;
  private static LabScenarios scenarios;

  @BeforeAll
  static void start() {
    env =
        LabEnvironment.builder()
            .quietWindow(EmbeddedLab.QUIET_WINDOW)
            .implementation(Flow.WORKER, ServiceImplementation.javaProcess())
            .start();
    scenarios =
        new LabScenarios(
            new LabTarget() {
              @Override
              public URI gatewayUrl() {
                return env.gatewayUrl();
              }

              @Override
              public URI auditorApiUrl() {
                return URI.create(env.auditor().apiUrl());
              }

              @Override
              public java.time.Duration quietWindow() {
                return env.auditor().assembler().quietWindow();
              }

              @Override
              public void use(Scenario scenario) {
                if (!env.runs(scenario)) {
                  env.switchTo(scenario);
                }
              }
            });
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  @Order(1)
  void workerRunsAsAChildJvmTheOthersInProcess() {
    RunningService worker = env.service(Flow.WORKER);
    assertThat(worker.implementation()).isEqualTo("java-process");
    long pid = worker.pid().orElseThrow();
    assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    assertThat(ProcessHandle.current().descendants().map(ProcessHandle::pid)).contains(pid);
    assertThat(env.workerUrl()).isEqualTo(worker.url());
    assertThat(env.service(Flow.GATEWAY).implementation()).isEqualTo("java");
    assertThat(env.service(Flow.GATEWAY).pid()).isEmpty();
    assertThat(env.service(Flow.CONSUMER).implementation()).isEqualTo("java");
  }

  @Test
  @Order(2)
  void fixedIsOneConnectedTraceOfSixSpans() {
    scenarios.lab().use(Scenario.FIXED);
    Orders.Accepted accepted = scenarios.orders().place(Map.of("sku", "CHILD-1", "quantity", 3));

    scenarios.assertConnected(accepted).hasSpanCount(Flow.SPANS.size());
  }

  @Test
  @Order(3)
  void brokenAsyncInTheChildWorkerYieldsExactlyItsFragments() {
    long before = env.service(Flow.WORKER).pid().orElseThrow();

    scenarios.assertScenarioFragments(Scenario.BROKEN_ASYNC);

    // a switch restarts the worker: a new child JVM, the old one gone
    RunningService worker = env.service(Flow.WORKER);
    assertThat(worker.implementation()).isEqualTo("java-process");
    assertThat(worker.pid().orElseThrow()).isNotEqualTo(before);
    assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  @Order(4)
  void closeStopsTheChild() {
    long pid = env.service(Flow.WORKER).pid().orElseThrow();
    env.close(); // returns once the child has exited
    env = null;
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }
}
