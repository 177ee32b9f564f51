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
    assertThat(Implementations.matrix()).extracting(Implementations::label)
        .containsExactly("java/java/java", "go/java/java", "java/node/java", "java/java/go", "go/node/go");
    assertThat(Implementations.matrix().get(4)).isEqualTo(Implementations.POLYGLOT);
  }

  @Test
  void brokenBoundariesCutTheJavaFlowWhereTheDesignSays() {
    ExpectedFlow flow = Flow.JAVA;
    assertThat(flow.fragments(Set.of())).containsExactly(List.of(1, 2, 3, 4, 5, 6));
    assertThat(flow.fragments(Set.of(Boundary.HTTP))).containsExactly(List.of(1, 2), List.of(3, 4, 5, 6));
    assertThat(flow.fragments(Set.of(Boundary.ASYNC))).containsExactly(List.of(1, 2, 3), List.of(4, 5, 6));
    assertThat(flow.fragments(Set.of(Boundary.KAFKA))).containsExactly(List.of(1, 2, 3, 4, 5), List.of(6));
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
        .hasMessage("unknown language 'rust' (expected one of java, go, node)");
  }
}
