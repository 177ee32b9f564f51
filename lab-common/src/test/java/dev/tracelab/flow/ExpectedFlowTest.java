// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.SpanKind;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExpectedFlowTest {

  @Test
  void allJavaFlowIsTheSixSpanChainOfTheDesign() {
    assertThat(Flow.SPANS)
        .containsExactly(
            new ExpectedSpan(1, "gateway-svc", SpanKind.SERVER, "POST /orders", 0),
            new ExpectedSpan(2, "gateway-svc", SpanKind.CLIENT, "POST", 1),
            new ExpectedSpan(3, "worker-svc", SpanKind.SERVER, "POST /work", 2),
            new ExpectedSpan(4, "worker-svc", SpanKind.INTERNAL, "order.prepare", 3),
            new ExpectedSpan(5, "worker-svc", SpanKind.PRODUCER, "send orders", 4),
            new ExpectedSpan(6, "consumer-svc", SpanKind.CONSUMER, "process orders", 5));
  }

  @Test
  void demoMatrixIsJavaEachLanguageBoundaryAloneThenAllNonJava() {
    assertThat(Implementations.matrix())
        .extracting(Implementations::label)
        .containsExactly(
            "java/java/java", "go/java/java", "java/node/java", "java/java/go", "go/node/go");
    assertThat(Implementations.matrix().get(4)).isEqualTo(Implementations.POLYGLOT);
  }

  @Test
  void brokenBoundariesCutTheJavaFlowWhereTheDesignSays() {
    ExpectedFlow flow = Flow.JAVA;
    assertThat(flow.fragments(Set.of())).containsExactly(List.of(1, 2, 3, 4, 5, 6));
    assertThat(flow.fragments(Set.of(Boundary.HTTP)))
        .containsExactly(List.of(1, 2), List.of(3, 4, 5, 6));
    assertThat(flow.fragments(Set.of(Boundary.ASYNC)))
        .containsExactly(List.of(1, 2, 3), List.of(4, 5, 6));
    assertThat(flow.fragments(Set.of(Boundary.KAFKA)))
        .containsExactly(List.of(1, 2, 3, 4, 5), List.of(6));
    assertThat(flow.fragments(EnumSet.allOf(Boundary.class)))
        .containsExactly(List.of(1, 2), List.of(3), List.of(4, 5), List.of(6));
  }

  @Test
  void polyglotFlowIsComposedFromEachImplementationsDeclaredSpans() {
    ExpectedFlow flow = ExpectedFlow.of(Implementations.POLYGLOT);
    int n = 0;
    for (String role : Flow.SERVICES) {
      n += Implementations.POLYGLOT.of(role).spans().size();
    }
    assertThat(flow.size()).isEqualTo(n);
    // every span's parent is the span before it: the flow is one chain
    for (ExpectedSpan span : flow.spans()) {
      assertThat(span.parentStep()).as("%s", span).isEqualTo(span.step() - 1);
    }
    assertThat(flow.fixFile(Boundary.HTTP)).startsWith("gateway-svc/go/");
    assertThat(flow.fixFile(Boundary.ASYNC)).startsWith("worker-svc/node/");
    assertThat(flow.fixFile(Boundary.KAFKA)).startsWith("consumer-svc/go/");
    assertThat(Implementations.POLYGLOT.label()).isEqualTo("go/node/go");
  }

  @Test
  void aRoleWithoutTheLanguageIsAClearError() {
    assertThatThrownBy(() -> Implementations.of(Language.NODE, Language.JAVA, Language.JAVA))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gateway-svc has no node implementation (gateway-svc: java|go)");
    assertThatThrownBy(() -> Language.parse("rust"))
        .hasMessage("unknown language 'rust' (expected one of java, go, node, cpp, browser)");
    assertThatThrownBy(() -> Implementations.of(Language.CPP, Language.JAVA, Language.JAVA))
        .hasMessage("gateway-svc has no cpp implementation (gateway-svc: java|go)");
  }

  @Test
  void theMeshPutsTheSidecarsTwoSpansBetweenTheGatewayClientAndTheWorkerServer() {
    ExpectedFlow flow = ExpectedFlow.of(Implementations.JAVA.withMesh());
    assertThat(flow.spans())
        .containsExactly(
            new ExpectedSpan(1, "gateway-svc", SpanKind.SERVER, "POST /orders", 0),
            new ExpectedSpan(2, "gateway-svc", SpanKind.CLIENT, "POST", 1),
            new ExpectedSpan(3, "envoy-sidecar", SpanKind.SERVER, "ingress", 2),
            new ExpectedSpan(4, "envoy-sidecar", SpanKind.CLIENT, "router worker-svc egress", 3),
            new ExpectedSpan(5, "worker-svc", SpanKind.SERVER, "POST /work", 4),
            new ExpectedSpan(6, "worker-svc", SpanKind.INTERNAL, "order.prepare", 5),
            new ExpectedSpan(7, "worker-svc", SpanKind.PRODUCER, "send orders", 6),
            new ExpectedSpan(8, "consumer-svc", SpanKind.CONSUMER, "process orders", 7));
    // the HTTP orphan moves to the sidecar: it starts the new trace the worker then joins
    assertThat(flow.fragments(Set.of(Boundary.HTTP)))
        .containsExactly(List.of(1, 2), List.of(3, 4, 5, 6, 7, 8));
    assertThat(flow.orphanHost(Boundary.HTTP)).isEqualTo(Implementation.SIDECAR_ENVOY);
    assertThat(flow.orphanHost(Boundary.PROPAGATORS)).isEqualTo(Implementation.SIDECAR_ENVOY);
    assertThat(flow.fragments(Set.of(Boundary.KAFKA)))
        .containsExactly(List.of(1, 2, 3, 4, 5, 6, 7), List.of(8));
    assertThat(flow.fragments(Set.of(Boundary.ASYNC)))
        .containsExactly(List.of(1, 2, 3, 4, 5), List.of(6, 7, 8));
    // the fix stays in the application that did not propagate
    assertThat(flow.fixFile(Boundary.HTTP)).isEqualTo(Flow.JAVA.fixFile(Boundary.HTTP));
    assertThat(Implementations.JAVA.withMesh().label()).isEqualTo("java/java/java +mesh");
    assertThat(Implementations.POLYGLOT.withMesh().participants())
        .containsExactly(
            Implementation.GATEWAY_GO,
            Implementation.SIDECAR_ENVOY,
            Implementation.WORKER_NODE,
            Implementation.CONSUMER_GO);
  }

  @Test
  void optionalParticipantsAreKeptInFlowOrderOncePerRole() {
    Implementations mesh = Implementations.JAVA.withMesh();
    assertThat(mesh.withMesh()).isEqualTo(mesh);
    assertThat(mesh.without(Flow.SIDECAR)).isEqualTo(Implementations.JAVA);
    assertThat(mesh.ids()).containsEntry("envoy-sidecar", "cpp").hasSize(4);
    assertThat(Implementations.fromIds(mesh.ids())).isEqualTo(mesh);
    assertThatThrownBy(() -> Implementations.JAVA.of(Flow.SIDECAR))
        .hasMessage("envoy-sidecar does not take part in java/java/java");
  }

  @Test
  void aFlowThatStartsInTheBrowserHasThePageSpanFirstAndTheGatewayAsItsChild() {
    Implementations withPage = Implementations.JAVA.with(Implementation.FRONTEND_BROWSER);
    ExpectedFlow flow = ExpectedFlow.of(withPage);
    assertThat(flow.spans())
        .containsExactly(
            new ExpectedSpan(1, "frontend", SpanKind.CLIENT, "POST", 0),
            new ExpectedSpan(2, "gateway-svc", SpanKind.SERVER, "POST /orders", 1),
            new ExpectedSpan(3, "gateway-svc", SpanKind.CLIENT, "POST", 2),
            new ExpectedSpan(4, "worker-svc", SpanKind.SERVER, "POST /work", 3),
            new ExpectedSpan(5, "worker-svc", SpanKind.INTERNAL, "order.prepare", 4),
            new ExpectedSpan(6, "worker-svc", SpanKind.PRODUCER, "send orders", 5),
            new ExpectedSpan(7, "consumer-svc", SpanKind.CONSUMER, "process orders", 6));
    assertThat(flow.entryPoint()).isEqualTo(flow.step(1));
    assertThat(flow.fragments(Set.of(Boundary.CORS)))
        .containsExactly(List.of(1), List.of(2, 3, 4, 5, 6, 7));
    assertThat(flow.fragments(Set.of(Boundary.CORS, Boundary.KAFKA)))
        .containsExactly(List.of(1), List.of(2, 3, 4, 5, 6), List.of(7));
    assertThat(flow.boundaryOrphaning("gateway-svc", SpanKind.SERVER, "POST /orders"))
        .isEqualTo(Boundary.CORS);
    assertThat(flow.boundaryOrphaning("worker-svc", SpanKind.SERVER, "POST /work"))
        .isEqualTo(Boundary.HTTP);
    assertThat(flow.boundaryOrphaning("frontend", SpanKind.CLIENT, "POST")).isNull();
    assertThat(flow.fixFile(Boundary.CORS)).isEqualTo("frontend/src/propagation.js");
    assertThat(withPage.label()).isEqualTo("java/java/java +frontend");
    assertThat(withPage.ids())
        .containsExactly(
            java.util.Map.entry("frontend", "browser"), java.util.Map.entry("gateway-svc", "java"),
            java.util.Map.entry("worker-svc", "java"), java.util.Map.entry("consumer-svc", "java"));
    assertThat(Implementations.fromIds(withPage.ids())).isEqualTo(withPage);
    assertThat(withPage.servicesOnly()).isEqualTo(Implementations.JAVA);
  }

  @Test
  void withoutThePageTheGatewayIsTheEntryPointAndNothingCutsTheCorsBoundary() {
    ExpectedFlow flow = Flow.JAVA;
    assertThat(flow.entryPoint()).isEqualTo(Flow.step(1));
    assertThat(flow.boundaryOrphaning("gateway-svc", SpanKind.SERVER, "POST /orders")).isNull();
    assertThat(flow.fragments(Set.of(Boundary.CORS))).containsExactly(List.of(1, 2, 3, 4, 5, 6));
    assertThat(flow.fixFile(Boundary.CORS)).isEqualTo("frontend/src/propagation.js");
    assertThat(Implementations.fromIds(java.util.Map.of())).isEqualTo(Implementations.JAVA);
    assertThatThrownBy(() -> Implementations.JAVA.of("frontend"))
        .hasMessage("frontend does not take part in java/java/java");
  }
}
