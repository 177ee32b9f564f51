// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static dev.tracelab.testkit.TracelabAssertions.byTraceId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.OrphanGate;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import dev.tracelab.testkit.AuditedSpan;
import dev.tracelab.testkit.AuditedTrace;
import dev.tracelab.testkit.RequestAssert;
import dev.tracelab.testkit.TraceAuditor;
import dev.tracelab.testkit.TracelabAssertions;
import dev.tracelab.testkit.TracelabAuditorClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;

/**
 * The scenarios and their assertions, written once; each environment (embedded, containers)
 * supplies a {@link LabTarget} and runs them, per combination of implementations: every expected
 * shape (fragments, span counts per service) comes from that combination's {@link ExpectedFlow}.
 */
final class LabScenarios {

  static final Duration TRACE_TIMEOUT = Duration.ofSeconds(30);

  private final LabTarget lab;
  private final ExpectedFlow flow;

  LabScenarios(LabTarget lab) {
    this(lab, Implementations.JAVA);
  }

  /** The scenarios on {@code lab} running {@code implementations}. */
  LabScenarios(LabTarget lab, Implementations implementations) {
    this.lab = lab;
    this.flow = ExpectedFlow.of(implementations);
  }

  ExpectedFlow flow() {
    return flow;
  }

  /** Makes the target run this suite's implementations with {@code scenario}. */
  void use(Scenario scenario) {
    lab.use(flow.implementations(), scenario);
  }

  LabTarget lab() {
    return lab;
  }

  /**
   * The lab's auditor's report API (the lab's run figures, {@code POST /api/runs}); the traces are
   * read through the test kit ({@link #kit()}).
   */
  AuditorClient auditor() {
    return new AuditorClient(lab.auditorApiUrl());
  }

  /**
   * The target's current auditor as the test kit reads it (a container target may replace it
   * between runs), judging by this suite's flow spec: the lab's expected shapes come from {@link
   * LabFlowSpecs}, as the auditor's do.
   */
  TraceAuditor kit() {
    return TracelabAuditorClient.builder(lab.auditorApiUrl())
        .setSpec(LabFlowSpecs.of(flow.implementations(), Map.of()))
        .build();
  }

  Orders orders() {
    return new Orders(lab.gatewayUrl());
  }

  /**
   * The kit's assertions on the request behind {@code accepted}, found by the trace id the gateway
   * answered (its other traces by {@code app.order_id}); they wait up to {@link #TRACE_TIMEOUT}.
   */
  RequestAssert request(Orders.Accepted accepted) {
    return request(accepted.traceId());
  }

  /** The kit's assertions on the request whose trace has this id. */
  RequestAssert request(String traceId) {
    return TracelabAssertions.assertThat(kit()).awaiting(TRACE_TIMEOUT).request(byTraceId(traceId));
  }

  /**
   * The request is one connected trace of exactly this suite's flow, every service's span tagged
   * with its order.
   */
  RequestAssert assertConnected(Orders.Accepted accepted) {
    return request(accepted).matchesSpec().hasTracesSatisfying(taggedWith(accepted.orderId()));
  }

  /**
   * Every span of the lab's services carries {@code app.order_id = orderId}; no proxy's does (the
   * order is in the body, a proxy never sees it).
   */
  static Consumer<List<AuditedTrace>> taggedWith(String orderId) {
    return traces -> {
      for (AuditedTrace t : traces) {
        for (AuditedSpan span : t.spans()) {
          assertThat(span.attribute(LabFlowSpecs.CORRELATION))
              .as("%s of %s", LabFlowSpecs.CORRELATION, span)
              .isEqualTo(Flow.SERVICES.contains(span.service()) ? orderId : null);
        }
      }
    };
  }

  /** {@code service:KIND:name}: the kit's name of one span of the flow. */
  static String span(ExpectedSpan step) {
    return step.service() + ":" + step.kind() + ":" + step.name();
  }

  /** The spans where the boundaries' next spans start new traces in this suite's flow. */
  String[] newTracesAt(Set<Boundary> boundaries) {
    return boundaries.stream().map(b -> span(flow.orphanSpan(b))).toArray(String[]::new);
  }

  /**
   * One request in {@code scenario} is exactly the fragments docs/design.md §3 lists, each span of
   * the flow spec the child of its parent there; a linked boundary's span the root of its trace
   * with exactly one link, to its expected parent; the request's own trace the one the gateway
   * answered.
   */
  void assertScenarioFragments(Scenario scenario) {
    use(scenario);
    Orders.Accepted accepted = orders().place(Map.of("sku", "ABC-1", "quantity", 2));
    RequestAssert request =
        request(accepted).as("%s on %s", scenario.id(), flow.implementations().label());
    if (!scenario.linkedBoundaries().isEmpty()) {
      request.matchesSpecLinkedAt(newTracesAt(scenario.linkedBoundaries()));
    } else if (!scenario.brokenBoundaries().isEmpty()) {
      request.matchesSpecBrokenAt(newTracesAt(scenario.brokenBoundaries()));
    } else {
      request.matchesSpec();
    }
    request
        .hasTraceCount(scenario.expectedFragments(flow).size())
        .hasTracesSatisfying(taggedWith(accepted.orderId()));
  }

  /**
   * The gate's verdict on a linked run: every request two or more traces joined by links along the
   * flow, none connected, no orphan, passed.
   */
  static void assertGatePassesLinked(
      ExpectedFlow flow, Scenario scenario, ScenarioReport report, int requests) {
    OrphanGate.Verdict verdict = OrphanGate.evaluate(report, OrphanGate.DEFAULT_MAX_ORPHAN_RATE);
    assertThat(report.requests()).isEqualTo(requests);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.linkedRequests()).isEqualTo(requests);
    assertThat(report.linkedRate()).isEqualTo(1.0);
    assertThat(report.fragmentsPerRequest()).isEqualTo(scenario.expectedFragments(flow).size());
    assertThat(report.diagnoses()).isEmpty();
    for (String service : Flow.SERVICES) {
      ScenarioReport.ServiceFigures figures = report.services().get(service);
      assertThat(figures.spans())
          .as("%s spans", service)
          .isEqualTo(flow.spansOf(service) * requests);
      assertThat(figures.orphanSpans()).as("%s orphan spans", service).isZero();
    }
    assertThat(verdict.passed()).as(String.join("\n", verdict.lines())).isTrue();
  }

  /**
   * The gate's verdict on a {@code fixed} run of {@code requests} requests: every request
   * connected, passed.
   */
  static void assertGatePasses(ScenarioReport report, int requests) {
    assertGatePasses(Flow.JAVA, report, requests);
  }

  /** As {@link #assertGatePasses(ScenarioReport, int)} for {@code flow}'s combination. */
  static void assertGatePasses(ExpectedFlow flow, ScenarioReport report, int requests) {
    OrphanGate.Verdict verdict = OrphanGate.evaluate(report, OrphanGate.DEFAULT_MAX_ORPHAN_RATE);
    assertThat(report.requests()).isEqualTo(requests);
    assertThat(report.connectedRequests()).isEqualTo(requests);
    assertThat(report.fragmentsPerRequest()).isEqualTo(1.0);
    // exact: every span of every service is accounted for, none is an orphan
    for (String service : Flow.SERVICES) {
      ScenarioReport.ServiceFigures figures = report.services().get(service);
      assertThat(figures.spans())
          .as("%s spans", service)
          .isEqualTo(flow.spansOf(service) * requests);
      assertThat(figures.orphanSpans()).as("%s orphan spans", service).isZero();
      assertThat(figures.orphanRate()).as("%s orphan rate", service).isEqualTo(0.0);
    }
    assertThat(verdict.passed()).as(String.join("\n", verdict.lines())).isTrue();
  }

  /**
   * The gate's verdict on a broken run: failed, naming exactly the broken boundaries' services, one
   * diagnosis per broken boundary counting every request, and the orphan rates of docs/design.md
   * §4.
   */
  static void assertGateFails(Scenario scenario, ScenarioReport report, int requests) {
    assertGateFails(Flow.JAVA, scenario, report, requests);
  }

  /** As {@link #assertGateFails(Scenario, ScenarioReport, int)} for {@code flow}'s combination. */
  static void assertGateFails(
      ExpectedFlow flow, Scenario scenario, ScenarioReport report, int requests) {
    OrphanGate.Verdict verdict = OrphanGate.evaluate(report, OrphanGate.DEFAULT_MAX_ORPHAN_RATE);
    assertThat(verdict.passed()).isFalse();
    Set<String> orphanServices =
        scenario.brokenBoundaries().stream()
            .map(Boundary::orphanService)
            .collect(Collectors.toSet());
    assertThat(verdict.failingServices()).containsExactlyInAnyOrderElementsOf(orphanServices);
    // one orphan root per request per broken boundary, at the span docs/design.md §3 names
    List<ScenarioReport.DiagnosisCount> expected =
        scenario.brokenBoundaries().stream()
            .map(
                b ->
                    new ScenarioReport.DiagnosisCount(
                        b.id(), b.orphanService(), flow.orphanSpan(b).name(), requests, null))
            .toList();
    assertThat(verdict.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactlyInAnyOrderElementsOf(expected);
    for (ScenarioReport.DiagnosisCount d : verdict.diagnoses()) {
      Boundary boundary =
          scenario.brokenBoundaries().stream()
              .filter(b -> b.id().equals(d.boundary()))
              .findFirst()
              .orElseThrow();
      // the fix names the file (or configuration) of the implementation that broke it
      assertThat(d.fix()).as("fix of %s", d.boundary()).endsWith(" Fix: " + flow.fixFile(boundary));
    }
    assertThat(report.implementations()).isEqualTo(flow.implementations().ids());
    assertThat(report.requests()).isEqualTo(requests);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.fragmentsPerRequest()).isEqualTo(scenario.expectedFragments(flow).size());
    Map<String, Double> expectedRates =
        Map.of(
            Flow.GATEWAY,
            0.0,
            Flow.WORKER,
            scenario.brokenBoundaries().stream()
                    .filter(b -> b.orphanService().equals(Flow.WORKER))
                    .count()
                / (double) flow.spansOf(Flow.WORKER),
            Flow.CONSUMER,
            scenario.brokenBoundaries().contains(Boundary.KAFKA) ? 1.0 : 0.0);
    expectedRates.forEach(
        (service, rate) ->
            assertThat(report.services().get(service).orphanRate())
                .as(service)
                .isCloseTo(rate, Offset.offset(1e-9)));
    for (String service : Flow.SERVICES) {
      long orphansPerRequest =
          scenario.brokenBoundaries().stream()
              .filter(b -> b.orphanService().equals(service))
              .count();
      ScenarioReport.ServiceFigures figures = report.services().get(service);
      assertThat(figures.spans())
          .as("%s spans", service)
          .isEqualTo(flow.spansOf(service) * requests);
      assertThat(figures.orphanSpans())
          .as("%s orphan spans", service)
          .isEqualTo(orphansPerRequest * requests);
      assertThat(figures.missingParentOrphans()).as("%s missing-parent orphans", service).isZero();
    }
  }
}
