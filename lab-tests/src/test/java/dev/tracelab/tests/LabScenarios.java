package dev.tracelab.tests;

import static dev.tracelab.flow.Flow.CONSUMER;
import static dev.tracelab.flow.Flow.GATEWAY;
import static dev.tracelab.flow.Flow.WORKER;
import static dev.tracelab.tests.TraceTree.assertTree;
import static dev.tracelab.tests.TraceTree.child;
import static dev.tracelab.tests.TraceTree.root;
import static io.opentelemetry.api.trace.SpanKind.CLIENT;
import static io.opentelemetry.api.trace.SpanKind.INTERNAL;
import static io.opentelemetry.api.trace.SpanKind.PRODUCER;
import static io.opentelemetry.api.trace.SpanKind.SERVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracelab.auditor.orphans.OrphanGate;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import dev.tracelab.tests.AuditorClient.SpanView;
import dev.tracelab.tests.AuditorClient.TraceView;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
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

  /** A client of the target's current auditor (a container target may replace it between runs). */
  AuditorClient auditor() {
    return new AuditorClient(lab.auditorApiUrl());
  }

  Orders orders() {
    return new Orders(lab.gatewayUrl());
  }

  /** The connected trace of this suite's combination, as a tree. */
  TraceTree.Node connected() {
    return TraceTree.chainOf(flow, flow.spans().stream().map(e -> e.step()).toList());
  }

  /** The connected all-Java trace of docs/design.md §2, as a tree. */
  static TraceTree.Node connectedTree() {
    return root(
        GATEWAY,
        SERVER,
        Flow.GATEWAY_SERVER,
        child(
            GATEWAY,
            CLIENT,
            Flow.GATEWAY_CLIENT,
            child(
                WORKER,
                SERVER,
                Flow.WORKER_SERVER,
                child(
                    WORKER,
                    INTERNAL,
                    Flow.DEFERRED_WORK,
                    child(
                        WORKER,
                        PRODUCER,
                        Flow.PRODUCE,
                        child(CONSUMER, SpanKind.CONSUMER, Flow.PROCESS))))));
  }

  /**
   * Waits until an order's fragments all closed and there are {@code expected} of them. Fails at
   * once, saying so, when a span arrived after its trace closed by the quiet window (a stall longer
   * than the window, not a propagation defect); on timeout the message lists what arrived.
   */
  List<TraceView> awaitFragments(String orderId, int expected) {
    AuditorClient auditor = auditor();
    AtomicReference<List<TraceView>> seen = new AtomicReference<>(List.of());
    try {
      await("%d closed trace(s) of order %s".formatted(expected, orderId))
          .atMost(TRACE_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                List<TraceView> traces = auditor.fragmentsOf(orderId);
                seen.set(traces);
                if (traces.stream().anyMatch(t -> !t.lateSpans().isEmpty())) {
                  throw new AssertionError(
                      "order "
                          + orderId
                          + ": spans arrived after their trace closed"
                          + " (no span for longer than the auditor's quiet window, "
                          + lab.quietWindow().toMillis()
                          + " ms):"
                          + describe(traces));
                }
                return traces.size() >= expected
                    && traces.stream().allMatch(TraceView::closed)
                    && traces.stream().mapToInt(t -> t.spans().size()).sum() >= flow.size();
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          e.getMessage()
              + "; on "
              + flow.implementations().label()
              + " the auditor holds:"
              + describe(seen.get()),
          e);
    }
    return seen.get();
  }

  private static String describe(List<TraceView> traces) {
    return traces.isEmpty()
        ? " nothing"
        : traces.stream().map(t -> "\n  " + t.describe()).collect(Collectors.joining());
  }

  /**
   * One request in {@code scenario} yields exactly the fragments docs/design.md §3 lists, each a
   * chain.
   */
  void assertScenarioFragments(Scenario scenario) {
    use(scenario);
    Orders.Accepted accepted = orders().place(Map.of("sku", "ABC-1", "quantity", 2));
    List<List<Integer>> expected = scenario.expectedFragments(flow);
    List<TraceView> fragments =
        awaitFragments(accepted.orderId(), expected.size()).stream()
            .sorted(Comparator.comparingInt(this::firstStep))
            .toList();
    assertThat(fragments)
        .as("fragments of %s on %s", scenario.id(), flow.implementations().label())
        .hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertTree(fragments.get(i), TraceTree.chainOf(flow, expected.get(i)));
      for (SpanView span : fragments.get(i).spans()) {
        // the services tag their spans with the order; a proxy never sees it (it is in the body)
        String orderId = Flow.SERVICES.contains(span.service()) ? accepted.orderId() : null;
        assertThat(span.orderId())
            .as("app.order_id of %s %s", span.service(), span.name())
            .isEqualTo(orderId);
      }
    }
    assertThat(fragments.get(0).traceId()).isEqualTo(accepted.traceId());
    // a linked boundary: its span has no parent and exactly one link, to its expected parent's span
    List<SpanView> all = fragments.stream().flatMap(f -> f.spans().stream()).toList();
    for (Boundary boundary : scenario.linkedBoundaries()) {
      var linkedStep = flow.orphanSpan(boundary);
      var predecessorStep = flow.step(linkedStep.parentStep());
      SpanView linked = only(all, linkedStep);
      SpanView predecessor = only(all, predecessorStep);
      assertThat(linked.parentSpanId()).as("parent of %s", linked.name()).isNull();
      assertThat(linked.links())
          .as("links of %s", linked.name())
          .containsExactly(new AuditorClient.LinkView(predecessor.traceId(), predecessor.spanId()));
      assertThat(linked.traceId()).isNotEqualTo(predecessor.traceId());
    }
    if (scenario.linkedBoundaries().isEmpty()) {
      assertThat(all).allSatisfy(s -> assertThat(s.links()).as("links of %s", s.name()).isEmpty());
    }
  }

  private static SpanView only(List<SpanView> spans, dev.tracelab.flow.ExpectedSpan step) {
    List<SpanView> found =
        spans.stream()
            .filter(s -> step.matches(s.service(), SpanKind.valueOf(s.kind()), s.name()))
            .toList();
    assertThat(found).as("spans of step %s", step).hasSize(1);
    return found.get(0);
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

  private int firstStep(TraceView trace) {
    return trace.spans().stream()
        .mapToInt(
            s ->
                flow.spans().stream()
                    .filter(e -> e.matches(s.service(), SpanKind.valueOf(s.kind()), s.name()))
                    .mapToInt(e -> e.step())
                    .findFirst()
                    .orElse(99))
        .min()
        .orElse(99);
  }
}
