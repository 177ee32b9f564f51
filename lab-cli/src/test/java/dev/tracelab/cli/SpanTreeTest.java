// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementations;
import io.opentelemetry.api.trace.SpanKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fragments of one request in flow order, labelled with the flow's steps, from crafted spans.
 */
class SpanTreeTest {

  private static ReceivedSpan span(
      String trace,
      String id,
      String parent,
      String service,
      SpanKind kind,
      String name,
      long startMs) {
    return new ReceivedSpan(
        trace.repeat(32),
        id.repeat(16),
        parent == null ? null : parent.repeat(16),
        service,
        kind,
        name,
        startMs * 1_000_000,
        (startMs + 5) * 1_000_000,
        false,
        Map.of("app.order_id", "o"),
        List.of());
  }

  // one all-broken request: four traces, {1,2} {3} {4,5} {6}
  private static final List<ReceivedSpan> GATEWAY =
      List.of(
          span("a", "1", null, Flow.GATEWAY, SpanKind.SERVER, Flow.GATEWAY_SERVER, 0),
          span("a", "2", "1", Flow.GATEWAY, SpanKind.CLIENT, Flow.GATEWAY_CLIENT, 1));
  private static final List<ReceivedSpan> WORKER_SERVER =
      List.of(span("b", "3", null, Flow.WORKER, SpanKind.SERVER, Flow.WORKER_SERVER, 2));
  // the hand-off's span may start before the worker's SERVER span is received, even before it
  // starts (clock skew)
  private static final List<ReceivedSpan> HAND_OFF =
      List.of(
          span("c", "5", "4", Flow.WORKER, SpanKind.PRODUCER, Flow.PRODUCE, 4),
          span("c", "4", null, Flow.WORKER, SpanKind.INTERNAL, Flow.DEFERRED_WORK, 1));
  private static final List<ReceivedSpan> CONSUMER =
      List.of(span("d", "6", null, Flow.CONSUMER, SpanKind.CONSUMER, Flow.PROCESS, 9));

  @Test
  void allBrokenFragmentsComeInFlowOrderLabelledWithTheirSteps() {
    List<SpanTree.Fragment> fragments =
        SpanTree.inFlowOrder(
            List.of(HAND_OFF, CONSUMER, GATEWAY, WORKER_SERVER), LabFlowSpecs.JAVA);
    assertThat(fragments)
        .extracting(SpanTree.Fragment::label)
        .containsExactly("{1,2}", "{3}", "{4,5}", "{6}");
    assertThat(fragments)
        .extracting(SpanTree.Fragment::traceId)
        .containsExactly("a".repeat(32), "b".repeat(32), "c".repeat(32), "d".repeat(32));
    assertThat(fragments.get(2).spans()).isEqualTo(HAND_OFF);
  }

  @Test
  void theStepsAreTheSpecsSpanIdsSoTheMeshFlowCountsEight() {
    var mesh = LabFlowSpecs.of(Implementations.JAVA.withMesh(), Map.of());
    List<ReceivedSpan> sidecar =
        List.of(
            span("e", "7", null, Flow.SIDECAR, SpanKind.SERVER, "ingress", 2),
            span("e", "8", "7", Flow.SIDECAR, SpanKind.CLIENT, "router worker-svc egress", 3),
            span("e", "3", "8", Flow.WORKER, SpanKind.SERVER, Flow.WORKER_SERVER, 4));
    assertThat(SpanTree.inFlowOrder(List.of(CONSUMER, sidecar, GATEWAY), mesh))
        .extracting(SpanTree.Fragment::label)
        .containsExactly("{1,2}", "{3,4,5}", "{8}");
  }

  @Test
  void spansOutsideTheFlowAreCountedAndATraceOfNoneComesLast() {
    List<ReceivedSpan> extra =
        List.of(span("f", "9", null, "batch-svc", SpanKind.SERVER, "GET /replay", 0));
    List<ReceivedSpan> withUnlisted =
        List.of(
            GATEWAY.get(0),
            GATEWAY.get(1),
            span("a", "7", "2", "cache-svc", SpanKind.SERVER, "GET /price", 1));
    List<SpanTree.Fragment> fragments =
        SpanTree.inFlowOrder(List.of(extra, CONSUMER, withUnlisted), LabFlowSpecs.JAVA);
    assertThat(fragments)
        .extracting(SpanTree.Fragment::label)
        .containsExactly("{1,2}", "{6}", "{}");
    assertThat(fragments).extracting(SpanTree.Fragment::unlisted).containsExactly(1, 0, 1);
    assertThat(SpanTree.render(fragments.get(0)).get(0))
        .isEqualTo("fragment {1,2}  trace " + "a".repeat(32) + "  (3 spans, 1 not in the flow)");
    assertThat(SpanTree.render(fragments.get(1)).get(0))
        .isEqualTo("fragment {6}  trace " + "d".repeat(32) + "  (1 span)");
  }
}
