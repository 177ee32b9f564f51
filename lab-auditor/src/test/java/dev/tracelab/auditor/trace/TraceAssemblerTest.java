// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.trace;

import static dev.tracelab.auditor.Spans.pad;
import static dev.tracelab.auditor.Spans.span;
import static io.opentelemetry.api.trace.SpanKind.CLIENT;
import static io.opentelemetry.api.trace.SpanKind.CONSUMER;
import static io.opentelemetry.api.trace.SpanKind.INTERNAL;
import static io.opentelemetry.api.trace.SpanKind.SERVER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.orphans.OrphanRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TraceAssemblerTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<AssembledTrace> closed = new ArrayList<>();
  private final Map<String, TraceClosed> events = new HashMap<>();
  private final TraceAssembler assembler =
      TraceAssembler.builder()
          .setSpec(dev.tracelab.auditor.lab.LabFlowSpecs.JAVA)
          .setQuietWindow(Duration.ofSeconds(2))
          .setMaxTraces(3)
          .setClock(now::get)
          .build();
  private final OrphanRules rules = new OrphanRules(Set.of("gateway-svc:SERVER"));

  TraceAssemblerTest() {
    assembler.onClose(
        e -> {
          closed.add(e.trace());
          events.put(e.trace().traceId(), e);
        });
  }

  /** The orphans of a closed trace, judged from its close event. */
  private List<OrphanRules.Orphan> orphans(AssembledTrace trace) {
    return rules.orphansOf(events.get(trace.traceId()), dev.tracelab.auditor.lab.LabFlowSpecs.JAVA);
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
    assembler.sweep();
  }

  @Test
  void childArrivingBeforeItsParentIsNotAnOrphanOnceTheTraceCloses() {
    assembler.accept(List.of(span("a", "2", "1", "gateway-svc", CLIENT, "POST", "o1")));
    advance(Duration.ofMillis(1500));
    assembler.accept(List.of(span("a", "1", null, "gateway-svc", SERVER, "POST /orders", "o1")));
    advance(Duration.ofMillis(1999));
    assertThat(closed).isEmpty(); // the parent's arrival restarted the quiet window

    advance(Duration.ofMillis(1));

    assertThat(closed)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.spans()).hasSize(2);
              assertThat(orphans(t)).isEmpty();
            });
  }

  @Test
  void aSpanWhoseParentNeverArrivesIsAMissingParentOrphan() {
    assembler.accept(
        List.of(
            span("a", "1", null, "gateway-svc", SERVER, "POST /orders", "o1"),
            span("a", "3", "2", "worker-svc", SERVER, "POST /work", "o1")));
    advance(Duration.ofSeconds(2));

    List<OrphanRules.Orphan> orphans = orphans(closed.get(0));

    assertThat(orphans)
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.root()).isFalse();
              assertThat(o.span().spanId()).isEqualTo(pad("3", 16));
              assertThat(o.diagnosis().boundary()).isEqualTo("missing-parent");
            });
  }

  @Test
  void aSpanArrivingAfterItsTraceClosedIsLateAndChangesNothing() {
    assembler.accept(List.of(span("a", "1", null, "gateway-svc", SERVER, "POST /orders", "o1")));
    advance(Duration.ofSeconds(2));
    assertThat(closed).hasSize(1);

    int late = assembler.accept(List.of(span("a", "2", "1", "gateway-svc", CLIENT, "POST", "o1")));

    assertThat(late).isEqualTo(1);
    assertThat(closed.get(0).spans()).hasSize(1);
    assertThat(closed.get(0).lateSpans()).hasSize(1);
    assertThat(assembler.spanCountsByService().get("gateway-svc"))
        .isEqualTo(new TraceAssembler.SpanCounts(2, 1, 0));
    advance(Duration.ofSeconds(5));
    assertThat(closed).hasSize(1); // closed once only
  }

  @Test
  void whenTheCapIsReachedTheQuietestTraceIsClosedEarlyAndCounted() {
    for (String t : List.of("a", "b", "c")) {
      assembler.accept(List.of(span(t, "1", null, "gateway-svc", SERVER, "POST /orders", t)));
      advance(Duration.ofMillis(100));
    }
    assembler.accept(
        List.of(span("a", "2", "1", "gateway-svc", CLIENT, "POST", "a"))); // a is now the freshest

    assembler.accept(List.of(span("d", "1", null, "gateway-svc", SERVER, "POST /orders", "d")));

    assertThat(closed)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.traceId()).isEqualTo(pad("b", 32));
              assertThat(t.wasEvicted()).isTrue();
            });
    assertThat(assembler.evictedTraces()).isEqualTo(1);
    assertThat(assembler.tracesInFlight()).isEqualTo(3);
  }

  @Test
  void twoInterleavedTracesAreAssembledApart() {
    assembler.accept(
        List.of(
            span("a", "1", null, "gateway-svc", SERVER, "POST /orders", "o1"),
            span("b", "1", null, "gateway-svc", SERVER, "POST /orders", "o2")));
    assembler.accept(
        List.of(
            span("b", "2", "1", "gateway-svc", CLIENT, "POST", "o2"),
            span("a", "2", "1", "gateway-svc", CLIENT, "POST", "o1"),
            span("a", "3", "2", "worker-svc", SERVER, "POST /work", "o1")));
    advance(Duration.ofSeconds(2));

    assertThat(closed).hasSize(2);
    assertThat(assembler.trace(pad("a", 32)).spans())
        .hasSize(3)
        .allSatisfy(s -> assertThat(s.attributes().get("app.order_id")).isEqualTo("o1"));
    assertThat(assembler.trace(pad("b", 32)).spans())
        .hasSize(2)
        .allSatisfy(s -> assertThat(s.attributes().get("app.order_id")).isEqualTo("o2"));
    assertThat(closed).allSatisfy(t -> assertThat(orphans(t)).isEmpty());
  }

  @Test
  void aRootThatIsAnEntryPointIsFineOneThatIsNotIsAnOrphanRoot() {
    assembler.accept(
        List.of(
            span("a", "1", null, "gateway-svc", SERVER, "POST /orders", "o1"),
            span("b", "3", null, "worker-svc", SERVER, "POST /work", "o1"),
            span("c", "6", null, "consumer-svc", CONSUMER, "process orders", "o1")));
    advance(Duration.ofSeconds(2));

    assertThat(orphans(assembler.trace(pad("a", 32)))).isEmpty();
    assertThat(orphans(assembler.trace(pad("b", 32))))
        .singleElement()
        .satisfies(o -> assertThat(o.diagnosis().boundary()).isEqualTo("http"));
    // o1 has no PRODUCER span anywhere: its record was produced outside the flow
    assertThat(orphans(assembler.trace(pad("c", 32))))
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.diagnosis().boundary()).isEqualTo("no-context");
              assertThat(o.counts()).isFalse();
            });
  }

  @Test
  void aRootInternalSpanIsAsyncOnlyWhenItsServiceServerSpanSitsInAnotherTrace() {
    assembler.accept(
        List.of(
            span("a", "3", null, "worker-svc", SERVER, "POST /work", "o1"),
            span("b", "4", null, "worker-svc", INTERNAL, "order.prepare", "o1"),
            span("c", "4", null, "worker-svc", INTERNAL, "order.prepare", "o2")));
    advance(Duration.ofSeconds(2));

    assertThat(orphans(assembler.trace(pad("b", 32))))
        .singleElement()
        .satisfies(o -> assertThat(o.diagnosis().boundary()).isEqualTo("async"));
    assertThat(orphans(assembler.trace(pad("c", 32))))
        .singleElement()
        .satisfies(o -> assertThat(o.diagnosis().boundary()).isEqualTo("unknown"));
  }

  @Test
  void aDuplicateDeliveryDoesNotRestartTheQuietWindow() {
    assembler.accept(List.of(span("a", "1", null, "gateway-svc", SERVER, "POST /orders", "o1")));
    advance(Duration.ofMillis(1500));
    assembler.accept(
        List.of(span("a", "1", null, "gateway-svc", SERVER, "POST /orders", "o1"))); // retried

    advance(Duration.ofMillis(500));

    assertThat(closed)
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.spans()).hasSize(1);
              assertThat(t.closeReason()).isEqualTo(AssembledTrace.CloseReason.QUIET);
            });
    assertThat(assembler.spanCountsByService().get("gateway-svc"))
        .isEqualTo(new TraceAssembler.SpanCounts(1, 0, 1));
  }

  @Test
  void theTracesOfAnOrderCloseTogetherOnceTheyHoldEveryExpectedSpanAndNotBefore() {
    // broken-kafka: {1..5} and {6}; the consumer's fragment arrives first
    assembler.accept(
        List.of(span("k", "6", null, "consumer-svc", CONSUMER, "process orders", "o1")));
    assembler.accept(
        List.of(
            span("a", "1", null, "gateway-svc", SERVER, "POST /orders", "o1"),
            span("a", "2", "1", "gateway-svc", CLIENT, "POST", "o1"),
            span("a", "3", "2", "worker-svc", SERVER, "POST /work", "o1"),
            span("a", "4", "3", "worker-svc", INTERNAL, "order.prepare", "o1"),
            span("b", "9", null, "gateway-svc", SERVER, "POST /orders", "o2")));
    assertThat(closed).isEmpty();

    assembler.accept(
        List.of(
            span(
                "a",
                "5",
                "4",
                "worker-svc",
                io.opentelemetry.api.trace.SpanKind.PRODUCER,
                "send orders",
                "o1")));

    assertThat(closed)
        .extracting(AssembledTrace::traceId)
        .containsExactlyInAnyOrder(pad("a", 32), pad("k", 32));
    assertThat(closed)
        .allSatisfy(
            t -> assertThat(t.closeReason()).isEqualTo(AssembledTrace.CloseReason.COMPLETE));
    assertThat(events.get(pad("k", 32)).fragmentsOf("o1"))
        .extracting(AssembledTrace::traceId)
        .containsExactly(pad("k", 32), pad("a", 32));
    assertThat(orphans(assembler.trace(pad("k", 32))))
        .singleElement()
        .satisfies(o -> assertThat(o.diagnosis().boundary()).isEqualTo("kafka"));
    assertThat(assembler.tracesInFlight()).isEqualTo(1); // o2's trace waits for the quiet window
  }

  @Test
  void aTraceReadsAsClosedOnlyOnceItsCloseListenersHaveRun() {
    // a reader that sees closed=true must find the trace in the run's figures: the runner and
    // the API wait on isClosed(), then read the report
    List<Boolean> closedWhileListening = new ArrayList<>();
    assembler.onClose(e -> closedWhileListening.add(e.trace().isClosed()));
    assembler.accept(List.of(span("a", "1", null, "gateway-svc", SERVER, "POST /orders", "o1")));

    advance(Duration.ofSeconds(2));

    assertThat(closedWhileListening).containsExactly(false);
    assertThat(assembler.trace(pad("a", 32)).isClosed()).isTrue();
    assertThat(assembler.trace(pad("a", 32)).closeReason())
        .isEqualTo(AssembledTrace.CloseReason.QUIET);
  }
}
