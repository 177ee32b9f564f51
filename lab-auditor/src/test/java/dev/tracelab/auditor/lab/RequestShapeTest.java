// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.spec.SpanSpec;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestShapeTest {

  private static ReceivedSpan span(
      String trace, String id, String parent, String service, SpanKind kind, String name) {
    return new ReceivedSpan(trace, id, parent, service, kind, name, 0, 1, false, Map.of());
  }

  private static List<ReceivedSpan> trace(String id, ReceivedSpan... spans) {
    return List.of(spans);
  }

  @Test
  void measuredTreesIgnoreIdsAndOrderAndMatchTheDescribedOnes() {
    List<ReceivedSpan> a =
        trace(
            "t1",
            span("t1", "3", "1", "w", SpanKind.SERVER, "POST /work"),
            span("t1", "1", null, "g", SpanKind.CLIENT, "POST"),
            span("t1", "2", "1", "w", SpanKind.SERVER, "POST /work"));
    List<ReceivedSpan> b = trace("t2", span("t2", "9", "x", "c", SpanKind.CONSUMER, "process"));

    RequestShape measured = RequestShape.ofSpans(List.of(b, a));

    RequestShape described =
        RequestShape.described(
            List.of(
                List.of(
                    new SpanSpec("a", "g", SpanKind.CLIENT, "POST", null),
                    new SpanSpec("b", "w", SpanKind.SERVER, "POST /work", "a"),
                    new SpanSpec("c", "w", SpanKind.SERVER, "POST /work", "a"))));
    assertThat(measured.fragments()).isEqualTo(2);
    assertThat(measured.spans()).isEqualTo(4);
    assertThat(measured.hasRoot("g", "CLIENT", "POST")).isTrue();
    assertThat(measured.hasRoot("c", "CONSUMER", "process")).isTrue(); // a missing-parent root
    assertThat(measured.hasRoot("w", "SERVER", "POST /work")).isFalse();
    assertThat(measured).isNotEqualTo(described);
    assertThat(RequestShape.ofSpans(List.of(a))).isEqualTo(described);
    assertThat(measured.lines())
        .containsExactly(
            "trace 1:",
            "  ^c CONSUMER process",
            "trace 2:",
            "  g CLIENT POST",
            "    w SERVER POST /work",
            "    w SERVER POST /work");
  }

  @Test
  void theFlowModelDescribesTheAgentShapesOfTheJavaAndTheNodeWorkerCombinations() {
    List<String> described = new ArrayList<>();
    for (Scenario s : Scenario.values()) {
      assertThat(LabFlowSpecs.agentShape(Implementations.JAVA, s)).isPresent();
      described.add(s.id() + " " + LabFlowSpecs.agentShape(Implementations.JAVA, s).get().spans());
    }
    assertThat(described)
        .containsExactly(
            "fixed 8",
            "broken-http 8",
            "broken-async 8",
            "broken-kafka 8",
            "all-broken 8",
            "broken-propagators 4",
            "linked-kafka 8");
    assertThat(LabFlowSpecs.agentShape(Implementations.POLYGLOT, Scenario.FIXED)).isEmpty();
    assertThat(
            LabFlowSpecs.agentShape(
                    Implementations.JAVA.with(dev.tracelab.flow.Implementation.WORKER_NODE),
                    Scenario.BROKEN_ASYNC)
                .get()
                .fragments())
        .isEqualTo(2);
  }
}
