// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import static dev.tracelab.auditor.Spans.span;
import static io.opentelemetry.api.trace.SpanKind.CONSUMER;
import static io.opentelemetry.api.trace.SpanKind.PRODUCER;
import static io.opentelemetry.api.trace.SpanKind.SERVER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.CraftedRequest;
import dev.tracelab.auditor.orphans.ScenarioReport.DiagnosisCount;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import dev.tracelab.auditor.otlp.OtlpDecoder;
import dev.tracelab.auditor.trace.TraceAssembler;
import dev.tracelab.flow.Scenario;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The run's figures against numbers known from the flow, not recomputed: requests of a scenario are
 * crafted span by span (each fragment of docs/design.md §3 its own trace) and the report must show
 * exactly the orphans that follow from the broken boundaries.
 */
class RunStatsTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final TraceAssembler assembler =
      TraceAssembler.builder()
          .setSpec(dev.tracelab.auditor.lab.LabFlowSpecs.JAVA)
          .setQuietWindow(Duration.ofSeconds(2))
          .setClock(now::get)
          .build();
  private final RunStats run =
      new RunStats(
          new OrphanRules(Set.of("gateway-svc:SERVER")),
          dev.tracelab.auditor.lab.LabFlowSpecs.DEFAULT);

  RunStatsTest() {
    assembler.onClose(run::add); // the only link: close events flow one way, into the run
  }

  private void send(int seed, Scenario scenario, Integer... steps) {
    assembler.accept(OtlpDecoder.decodeProtobuf(CraftedRequest.of(seed, scenario).protobuf(steps)));
  }

  private void send(CraftedRequest request, Integer... steps) {
    assembler.accept(OtlpDecoder.decodeProtobuf(request.protobuf(steps)));
  }

  @Test
  void linkedKafkaRequestsAreTwoTracesJoinedByALinkWithNoOrphan() {
    send(1, Scenario.LINKED_KAFKA, 1, 2, 3, 4, 5, 6);
    send(2, Scenario.LINKED_KAFKA, 6, 5, 4, 3, 2, 1); // the linked root before its predecessor
    send(3, Scenario.LINKED_KAFKA, 6);
    send(3, Scenario.LINKED_KAFKA, 1, 2, 3, 4, 5);

    ScenarioReport report = run.report("linked-kafka", Map.of());

    assertThat(report.requests()).isEqualTo(3);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.linkedRequests()).isEqualTo(3);
    assertThat(report.linkedRate()).isEqualTo(1.0);
    assertThat(report.fragmentsPerRequest()).isEqualTo(2.0);
    assertThat(report.services())
        .containsExactlyEntriesOf(
            services(
                new ServiceFigures(6, 0, 0, 0, 0.0),
                new ServiceFigures(9, 0, 0, 0, 0.0),
                new ServiceFigures(3, 0, 0, 0, 0.0)));
    assertThat(report.diagnoses()).isEmpty();
    assertThat(run.linkedRequests()).isEqualTo(3);
    assertThat(run.tracesAnalysed()).isEqualTo(6);
  }

  @Test
  void aLinkToASpanThatIsNotTheExpectedPredecessorIsAnOrphanDiagnosedAsLink() {
    send(CraftedRequest.of(1, Scenario.LINKED_KAFKA).linking(6, 4), 1, 2, 3, 4, 5, 6);
    send(CraftedRequest.of(2, Scenario.LINKED_KAFKA).linking(6, 1), 6, 1, 2, 3, 4, 5);
    send(3, Scenario.LINKED_KAFKA, 1, 2, 3, 4, 5, 6);

    ScenarioReport report = run.report("linked-kafka", Map.of());

    assertThat(report.requests()).isEqualTo(3);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.linkedRequests()).isEqualTo(1);
    assertThat(report.linkedRate()).isEqualTo(1.0 / 3);
    assertThat(report.services())
        .containsExactlyEntriesOf(
            services(
                new ServiceFigures(6, 0, 0, 0, 0.0),
                new ServiceFigures(9, 0, 0, 0, 0.0),
                new ServiceFigures(3, 2, 2, 0, 2.0 / 3)));
    assertThat(report.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactly(new DiagnosisCount("link", "consumer-svc", "process orders", 2, null));
    assertThat(report.diagnoses().get(0).fix()).contains("not the expected predecessor");
  }

  @Test
  void aLinkToAnotherRequestsProducerSpanIsAnOrphan() {
    CraftedRequest other = CraftedRequest.of(2, Scenario.LINKED_KAFKA);
    send(other, 1, 2, 3, 4, 5, 6);
    // request 1's consumer span links to request 2's producer span: not in a trace of its request
    send(CraftedRequest.of(1, Scenario.BROKEN_KAFKA), 1, 2, 3, 4, 5);
    assembler.accept(
        List.of(
            withLink(
                OtlpDecoder.decodeProtobuf(CraftedRequest.of(1, Scenario.BROKEN_KAFKA).protobuf(6))
                    .get(0),
                other.traceIdOf(5),
                other.spanIdOf(5))));

    ScenarioReport report = run.report("linked-kafka", Map.of());

    assertThat(report.requests()).isEqualTo(2);
    assertThat(report.linkedRequests()).isEqualTo(1);
    assertThat(report.services().get("consumer-svc"))
        .isEqualTo(new ServiceFigures(2, 1, 1, 0, 0.5));
    assertThat(report.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactly(new DiagnosisCount("link", "consumer-svc", "process orders", 1, null));
  }

  private static dev.tracelab.auditor.trace.ReceivedSpan withLink(
      dev.tracelab.auditor.trace.ReceivedSpan s, String traceId, String spanId) {
    return new dev.tracelab.auditor.trace.ReceivedSpan(
        s.traceId(),
        s.spanId(),
        s.parentSpanId(),
        s.service(),
        s.kind(),
        s.name(),
        s.startEpochNanos(),
        s.endEpochNanos(),
        s.error(),
        s.attributes(),
        List.of(new dev.tracelab.auditor.trace.ReceivedSpan.Link(traceId, spanId)));
  }

  private static Map<String, ServiceFigures> services(
      ServiceFigures gateway, ServiceFigures worker, ServiceFigures consumer) {
    Map<String, ServiceFigures> m = new LinkedHashMap<>();
    m.put("gateway-svc", gateway);
    m.put("worker-svc", worker);
    m.put("consumer-svc", consumer);
    return m;
  }

  @Test
  void brokenHttpMakesOneWorkerOrphanRootOfThreeSpansPerRequest() {
    for (int seed = 1; seed <= 3; seed++) {
      send(seed, Scenario.BROKEN_HTTP, 1, 2, 3, 4, 5, 6);
    }

    ScenarioReport report = run.report("broken-http", Map.of());

    assertThat(report.requests()).isEqualTo(3);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.connectedRate()).isEqualTo(0.0);
    assertThat(report.fragmentsPerRequest()).isEqualTo(2.0);
    assertThat(report.services())
        .containsExactlyEntriesOf(
            services(
                new ServiceFigures(6, 0, 0, 0, 0.0),
                new ServiceFigures(9, 3, 3, 0, 1.0 / 3),
                new ServiceFigures(3, 0, 0, 0, 0.0)));
    assertThat(report.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactly(new DiagnosisCount("http", "worker-svc", "POST /work", 3, null));
    assertThat(run.tracesAnalysed()).isEqualTo(6);
  }

  @Test
  void allBrokenMakesTwoWorkerOrphansOfThreeAndEveryConsumerSpanAnOrphan() {
    send(1, Scenario.ALL_BROKEN, 6, 4, 5); // fragments out of order: the async diagnosis needs {3}
    send(1, Scenario.ALL_BROKEN, 3, 1, 2);
    send(2, Scenario.ALL_BROKEN, 1, 2, 3, 4, 5, 6);

    ScenarioReport report = run.report("all-broken", Map.of());

    assertThat(report.requests()).isEqualTo(2);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.fragmentsPerRequest()).isEqualTo(4.0);
    assertThat(report.services())
        .containsExactlyEntriesOf(
            services(
                new ServiceFigures(4, 0, 0, 0, 0.0),
                new ServiceFigures(6, 4, 4, 0, 4.0 / 6),
                new ServiceFigures(2, 2, 2, 0, 1.0)));
    assertThat(report.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactlyInAnyOrder(
            new DiagnosisCount("http", "worker-svc", "POST /work", 2, null),
            new DiagnosisCount("async", "worker-svc", "order.prepare", 2, null),
            new DiagnosisCount("kafka", "consumer-svc", "process orders", 2, null));
  }

  @Test
  void fixedRequestsAreConnectedAndALostSpanIsOneMissingParent() {
    send(1, Scenario.FIXED, 1, 2, 3, 4, 5, 6);
    send(2, Scenario.FIXED, 6, 5, 4, 3, 2, 1);
    send(3, Scenario.FIXED, 1, 2, 3, 5, 6); // 4 never arrives: closes by the quiet window
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assembler.sweep();

    ScenarioReport report = run.report("fixed", Map.of());

    assertThat(report.requests()).isEqualTo(3);
    assertThat(report.connectedRequests()).isEqualTo(2);
    assertThat(report.fragmentsPerRequest()).isEqualTo(1.0);
    assertThat(report.services())
        .containsExactlyEntriesOf(
            services(
                new ServiceFigures(6, 0, 0, 0, 0.0),
                new ServiceFigures(8, 1, 0, 1, 1.0 / 8),
                new ServiceFigures(3, 0, 0, 0, 0.0)));
    assertThat(report.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactly(
            new DiagnosisCount("missing-parent", "worker-svc", "send orders", 1, null));
  }

  @Test
  void aTraceThatBeganBeforeTheRunDoesNotCountEvenIfItClosesDuringIt() {
    assembler.accept(
        List.of(span("a", "6", null, "consumer-svc", CONSUMER, "process orders", "old")));
    now.addAndGet(Duration.ofMillis(500).toNanos());
    run.reset(assembler.now(), dev.tracelab.auditor.lab.LabFlowSpecs.DEFAULT);
    assembler.accept(List.of(span("b", "1", null, "gateway-svc", SERVER, "POST /orders", "new")));

    now.addAndGet(Duration.ofSeconds(3).toNanos());
    assembler.sweep();

    ScenarioReport report = run.report("r", Map.of());
    assertThat(report.requests()).isEqualTo(1);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.services())
        .containsExactlyEntriesOf(
            services(
                new ServiceFigures(1, 0, 0, 0, 0.0),
                new ServiceFigures(0, 0, 0, 0, 0.0),
                new ServiceFigures(0, 0, 0, 0, 0.0)));
    assertThat(report.diagnoses()).isEmpty();
    assertThat(run.tracesAnalysed()).isEqualTo(1);
  }

  @Test
  void aConsumerRootWithNoProducerSpanForItsOrderWasProducedOutsideTheFlowNotAKafkaDefect() {
    send(
        1, Scenario.BROKEN_KAFKA, 1, 2, 3, 4, 5, 6); // the producer span {5} is in another fragment
    // a console producer: the record had no context; the consumer dead-letters it (a PRODUCER
    // span in the trace the consumer started, which must not pass for the flow's producer)
    assembler.accept(
        List.of(
            span("c", "1", null, "consumer-svc", CONSUMER, "process orders", "console-1"),
            span("c", "2", "1", "consumer-svc", PRODUCER, "send orders.dlq", "console-1")));
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assembler.sweep();

    ScenarioReport report = run.report("broken-kafka", Map.of());

    assertThat(report.requests()).isEqualTo(1);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.fragmentsPerRequest()).isEqualTo(2.0);
    assertThat(report.services())
        .containsExactlyEntriesOf(
            services(
                new ServiceFigures(2, 0, 0, 0, 0.0),
                new ServiceFigures(3, 0, 0, 0, 0.0),
                new ServiceFigures(3, 1, 1, 0, 1.0 / 3)));
    assertThat(report.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactlyInAnyOrder(
            new DiagnosisCount("kafka", "consumer-svc", "process orders", 1, null),
            new DiagnosisCount("no-context", "consumer-svc", "process orders", 1, null));
  }

  /**
   * One request that starts in the browser, as spans: the page's fetch, then the six of the flow.
   */
  private static List<dev.tracelab.auditor.trace.ReceivedSpan> browserRequest(
      String orderId, String pageTrace, String servicesTrace) {
    String t = servicesTrace;
    boolean cut =
        !pageTrace.equals(servicesTrace); // the API got no traceparent: the gateway starts a trace
    return List.of(
        span(
            pageTrace,
            "f1",
            null,
            "frontend",
            io.opentelemetry.api.trace.SpanKind.CLIENT,
            "POST",
            orderId),
        span(t, "a1", cut ? null : "f1", "gateway-svc", SERVER, "POST /orders", orderId),
        span(
            t,
            "a2",
            "a1",
            "gateway-svc",
            io.opentelemetry.api.trace.SpanKind.CLIENT,
            "POST",
            orderId),
        span(t, "a3", "a2", "worker-svc", SERVER, "POST /work", orderId),
        span(
            t,
            "a4",
            "a3",
            "worker-svc",
            io.opentelemetry.api.trace.SpanKind.INTERNAL,
            "order.prepare",
            orderId),
        span(t, "a5", "a4", "worker-svc", PRODUCER, "send orders", orderId),
        span(t, "a6", "a5", "consumer-svc", CONSUMER, "process orders", orderId));
  }

  @Test
  void inABrowserRunThePageSpanIsTheEntryPointAndAGatewayRootIsACorsOrphan() {
    RunSetup setup =
        dev.tracelab.auditor.lab.LabFlowSpecs.setup(
            "browser",
            Map.of("frontend", "missing-entry"),
            dev.tracelab.flow.Implementations.JAVA.with(
                dev.tracelab.flow.Implementation.FRONTEND_BROWSER),
            Map.of());
    RunStats run =
        new RunStats(
            new OrphanRules(),
            dev.tracelab.auditor.lab.LabFlowSpecs
                .DEFAULT); // entry points from the run's flow alone
    assembler.onClose(run::add);
    run.reset(assembler.now(), setup);
    assembler.expect(setup.spec());
    assembler.accept(browserRequest("o1", "b1", "b1")); // connected: seven spans, one trace
    assembler.accept(browserRequest("o2", "c1", "c2")); // the missing allowlist entry: two traces
    // the page's analytics call: its own trace, no order: neither a request nor an orphan
    assembler.accept(
        List.of(
            span(
                "d1",
                "f9",
                null,
                "frontend",
                io.opentelemetry.api.trace.SpanKind.CLIENT,
                "POST",
                null)));
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assembler.sweep();

    ScenarioReport report = run.report();

    assertThat(report.requests()).isEqualTo(2);
    assertThat(report.connectedRequests()).isEqualTo(1);
    assertThat(report.fragmentsPerRequest()).isEqualTo(1.5);
    assertThat(report.implementations())
        .containsExactly(
            Map.entry("frontend", "browser"), Map.entry("gateway-svc", "java"),
            Map.entry("worker-svc", "java"), Map.entry("consumer-svc", "java"));
    Map<String, ServiceFigures> services = new LinkedHashMap<>();
    services.put("frontend", new ServiceFigures(3, 0, 0, 0, 0.0));
    services.putAll(
        services(
            new ServiceFigures(4, 1, 1, 0, 0.25),
            new ServiceFigures(6, 0, 0, 0, 0.0),
            new ServiceFigures(2, 0, 0, 0, 0.0)));
    assertThat(report.services()).isEqualTo(services);
    assertThat(report.diagnoses())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("fix")
        .containsExactly(new DiagnosisCount("cors", "gateway-svc", "POST /orders", 1, null));
    assertThat(report.diagnoses().get(0).fix())
        .contains("propagateTraceHeaderCorsUrls")
        .endsWith("Fix: frontend/src/propagation.js");
    assertThat(run.tracesAnalysed()).isEqualTo(4);
  }

  @Test
  void withoutThePageInTheRunAGatewayRootIsTheEntryPointAsBefore() {
    RunStats run = new RunStats(new OrphanRules(), dev.tracelab.auditor.lab.LabFlowSpecs.DEFAULT);
    assembler.onClose(run::add);
    assembler.accept(browserRequest("o1", "c1", "c2").subList(1, 7));
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assembler.sweep();

    ScenarioReport report = run.report("fixed", Map.of());

    assertThat(report.connectedRequests()).isEqualTo(1);
    assertThat(report.diagnoses()).isEmpty();
  }
}
