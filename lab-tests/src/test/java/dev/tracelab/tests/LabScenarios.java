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

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import dev.tracelab.tests.AuditorClient.SpanView;
import dev.tracelab.tests.AuditorClient.TraceView;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The scenarios and their assertions, written once; each environment (embedded, containers)
 * supplies a {@link LabTarget} and runs them.
 */
final class LabScenarios {

  static final Duration TRACE_TIMEOUT = Duration.ofSeconds(30);

  private final LabTarget lab;
  private final AuditorClient auditor;

  LabScenarios(LabTarget lab) {
    this.lab = lab;
    this.auditor = new AuditorClient(lab.auditorApiUrl());
  }

  LabTarget lab() {
    return lab;
  }

  AuditorClient auditor() {
    return auditor;
  }

  Orders orders() {
    return new Orders(lab.gatewayUrl());
  }

  /** The connected trace of SPEC §2, as a tree. */
  static TraceTree.Node connectedTree() {
    return root(GATEWAY, SERVER, Flow.GATEWAY_SERVER,
        child(GATEWAY, CLIENT, Flow.GATEWAY_CLIENT,
            child(WORKER, SERVER, Flow.WORKER_SERVER,
                child(WORKER, INTERNAL, Flow.DEFERRED_WORK,
                    child(WORKER, PRODUCER, Flow.PRODUCE,
                        child(CONSUMER, SpanKind.CONSUMER, Flow.PROCESS))))));
  }

  /** Waits until an order's fragments all closed and there are {@code expected} of them. */
  List<TraceView> awaitFragments(String orderId, int expected) {
    AtomicReference<List<TraceView>> seen = new AtomicReference<>(List.of());
    await("%d closed trace(s) of order %s".formatted(expected, orderId))
        .atMost(TRACE_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              List<TraceView> traces = auditor.fragmentsOf(orderId);
              seen.set(traces);
              return traces.size() >= expected
                  && traces.stream().allMatch(TraceView::closed)
                  && traces.stream().mapToInt(t -> t.spans().size()).sum() >= Flow.SPANS.size();
            });
    return seen.get();
  }

  /** One request in {@code scenario} yields exactly the fragments SPEC §3 lists, each a chain. */
  void assertScenarioFragments(Scenario scenario) {
    lab.use(scenario);
    Orders.Accepted accepted = orders().place(Map.of("sku", "ABC-1", "quantity", 2));
    List<List<Integer>> expected = scenario.expectedFragments();
    List<TraceView> fragments =
        awaitFragments(accepted.orderId(), expected.size()).stream()
            .sorted(Comparator.comparingInt(LabScenarios::firstStep))
            .toList();
    assertThat(fragments).as("fragments of %s", scenario.id()).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertTree(fragments.get(i), TraceTree.chainOf(expected.get(i)));
      for (SpanView span : fragments.get(i).spans()) {
        assertThat(span.orderId()).as("app.order_id of %s", span.name()).isEqualTo(accepted.orderId());
      }
    }
    assertThat(fragments.get(0).traceId()).isEqualTo(accepted.traceId());
  }

  private static int firstStep(TraceView trace) {
    return trace.spans().stream()
        .mapToInt(
            s ->
                Flow.SPANS.stream()
                    .filter(e -> e.matches(s.service(), SpanKind.valueOf(s.kind()), s.name()))
                    .mapToInt(e -> e.step())
                    .findFirst()
                    .orElse(99))
        .min()
        .orElse(99);
  }
}
