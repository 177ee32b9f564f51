// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static dev.tracelab.flow.Flow.CONSUMER;
import static dev.tracelab.flow.Flow.GATEWAY;
import static dev.tracelab.flow.Flow.SIDECAR;
import static dev.tracelab.flow.Flow.WORKER;
import static io.opentelemetry.api.trace.SpanKind.CLIENT;
import static io.opentelemetry.api.trace.SpanKind.INTERNAL;
import static io.opentelemetry.api.trace.SpanKind.PRODUCER;
import static io.opentelemetry.api.trace.SpanKind.SERVER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.experiments.scenario.ScenarioRunner;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import dev.tracelab.testkit.RequestAssert;
import io.opentelemetry.api.trace.SpanKind;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mesh mode on the embedded lab (docs/design.md §8): a real Envoy as the worker's inbound sidecar.
 * The hop gateway -> worker becomes three views of one request — the gateway's CLIENT span, the
 * sidecar's SERVER and CLIENT spans ({@code envoy-sidecar}), the worker's SERVER span — and the two
 * proofs that a mesh repairs nothing: the Kafka orphan stays, and a gateway that sends no context
 * makes Envoy start a new trace that the worker joins. Skipped with the reason when Envoy is not
 * installed (failed instead under {@code -Dtracelab.mesh=required}).
 */
class MeshLabTest {

  static final Implementations MESH = Implementations.JAVA.withMesh();

  private final EmbeddedLab lab = EmbeddedLab.get();
  private final LabScenarios scenarios = new LabScenarios(lab, MESH);

  /** A span of the flow, written out (not read from the flow): {@code service:KIND:name}. */
  private static String span(String service, SpanKind kind, String name) {
    return service + ":" + kind + ":" + name;
  }

  private static final String GATEWAY_SERVER = span(GATEWAY, SERVER, "POST /orders");
  private static final String GATEWAY_CLIENT = span(GATEWAY, CLIENT, "POST");
  private static final String INGRESS = span(SIDECAR, SERVER, "ingress");
  private static final String EGRESS = span(SIDECAR, CLIENT, "router worker-svc egress");
  private static final String WORKER_SERVER = span(WORKER, SERVER, "POST /work");
  private static final String PREPARE = span(WORKER, INTERNAL, "order.prepare");
  private static final String SEND = span(WORKER, PRODUCER, "send orders");
  private static final String PROCESS = span(CONSUMER, SpanKind.CONSUMER, "process orders");

  /**
   * Places an order in {@code scenario}: the kit's assertions on it, its spans tagged with the
   * order.
   */
  private RequestAssert place(Scenario scenario) {
    scenarios.use(scenario);
    Orders.Accepted accepted = scenarios.orders().place(Map.of("sku", "MESH-1", "quantity", 2));
    return scenarios
        .request(accepted)
        .hasTracesSatisfying(LabScenarios.taggedWith(accepted.orderId()));
  }

  @Test
  void fixedThroughTheSidecarIsOneTraceClientSidecarServerInAnExactParentChain() {
    // exactly the mesh flow's spans, each the child of the one before: the gateway's CLIENT span,
    // the sidecar's SERVER and CLIENT spans, the worker's SERVER span in one parent chain
    place(Scenario.FIXED)
        .matchesSpec()
        .hasPath(
            GATEWAY_SERVER, GATEWAY_CLIENT, INGRESS, EGRESS, WORKER_SERVER, PREPARE, SEND, PROCESS);
    assertThat(lab.env().service(SIDECAR).implementation()).isEqualTo("envoy");
  }

  @Test
  void brokenKafkaThroughTheSidecarLeavesTheConsumerAnOrphanRoot() {
    place(Scenario.BROKEN_KAFKA)
        .matchesSpecBrokenAt(PROCESS)
        .hasPath(GATEWAY_SERVER, GATEWAY_CLIENT, INGRESS, EGRESS, WORKER_SERVER, PREPARE, SEND)
        .hasPath(PROCESS);
  }

  @Test
  void brokenHttpThroughTheSidecarStartsANewTraceAtTheSidecarThatTheWorkerJoins() {
    // the gateway sent no traceparent: its trace ends at its CLIENT span; Envoy started a new
    // trace (its SERVER span a root), and the worker is the child of the sidecar
    place(Scenario.BROKEN_HTTP)
        .matchesSpecBrokenAt(INGRESS)
        .hasPath(GATEWAY_SERVER, GATEWAY_CLIENT)
        .hasPath(INGRESS, EGRESS, WORKER_SERVER, PREPARE, SEND, PROCESS);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"FIXED", "BROKEN_HTTP", "BROKEN_KAFKA", "BROKEN_ASYNC", "ALL_BROKEN"})
  void eachScenarioThroughTheSidecarYieldsExactlyItsFlowsFragments(Scenario scenario) {
    scenarios.assertScenarioFragments(scenario);

    assertThat(lab.env().implementations()).isEqualTo(MESH);
  }

  @Test
  void theAuditorSaysTheAppDidNotPropagateAndTheMeshCannotRepairIt() {
    scenarios.use(Scenario.BROKEN_HTTP);
    ExpectedFlow flow = scenarios.flow();
    ScenarioRunner runner = new ScenarioRunner(lab.env(), 4);

    ScenarioRunner.Result broken = runner.run(Scenario.BROKEN_HTTP, 20, n -> {});

    assertThat(broken.failedRequests()).isZero();
    assertThat(broken.incompleteRequests()).isZero();
    ScenarioReport report = broken.report();
    assertThat(report.mesh()).isTrue();
    assertThat(report.fragmentsPerRequest()).isEqualTo(2.0);
    assertThat(report.diagnoses())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.boundary()).isEqualTo(Boundary.HTTP.id());
              assertThat(d.service()).isEqualTo(SIDECAR);
              assertThat(d.span()).isEqualTo(Flow.SIDECAR_INGRESS);
              assertThat(d.count()).isEqualTo(20);
              assertThat(d.fix())
                  .contains("The application did not propagate, and the mesh cannot repair it")
                  .endsWith(" Fix: " + flow.fixFile(Boundary.HTTP));
            });
    // the orphan is the sidecar's, one per request; the worker's spans are all children now
    Map<String, long[]> spansAndOrphans =
        Map.of(
            GATEWAY,
            new long[] {2, 0},
            SIDECAR,
            new long[] {2, 1},
            WORKER,
            new long[] {3, 0},
            CONSUMER,
            new long[] {1, 0});
    assertThat(report.services()).containsOnlyKeys(spansAndOrphans.keySet());
    spansAndOrphans.forEach(
        (service, expected) -> {
          ScenarioReport.ServiceFigures f = report.services().get(service);
          assertThat(f.spans()).as("%s spans", service).isEqualTo(expected[0] * 20);
          assertThat(f.orphanRoots()).as("%s orphan roots", service).isEqualTo(expected[1] * 20);
          assertThat(f.missingParentOrphans()).as("%s missing-parent orphans", service).isZero();
        });
    // the report API says so too
    assertThat(scenarios.auditor().report().mesh()).isTrue();
  }

  @Test
  void fixedThroughTheSidecarPassesTheGateWithTheSidecarsSpansCounted() {
    scenarios.use(Scenario.FIXED);
    ScenarioRunner.Result fixed = new ScenarioRunner(lab.env(), 4).run(Scenario.FIXED, 40, n -> {});

    assertThat(fixed.failedRequests()).isZero();
    assertThat(fixed.incompleteRequests()).isZero();
    LabScenarios.assertGatePasses(scenarios.flow(), fixed.report(), 40);
    assertThat(fixed.report().mesh()).isTrue();
    assertThat(fixed.report().services().get(SIDECAR).spans()).isEqualTo(2 * 40);
    assertThat(fixed.report().services().get(SIDECAR).orphanSpans()).isZero();
  }

  @Test
  void aPropagatorsMismatchOrphansTheSidecarWhichReadsOnlyW3c() {
    scenarios.use(Scenario.BROKEN_PROPAGATORS);
    ScenarioRunner.Result result =
        new ScenarioRunner(lab.env(), 4).run(Scenario.BROKEN_PROPAGATORS, 20, n -> {});

    assertThat(result.failedRequests()).isZero();
    assertThat(result.incompleteRequests()).isZero();
    assertThat(result.report().diagnoses())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.boundary()).isEqualTo(Boundary.PROPAGATORS.id());
              assertThat(d.service()).isEqualTo(SIDECAR);
              assertThat(d.count()).isEqualTo(20);
              assertThat(d.fix())
                  .contains("gateway-svc OTEL_PROPAGATORS=b3multi")
                  .contains("envoy-sidecar OTEL_PROPAGATORS=tracecontext");
            });
  }
}
