package dev.tracelab.auditor.orphans;

import static dev.tracelab.auditor.Spans.span;
import static io.opentelemetry.api.trace.SpanKind.CONSUMER;
import static io.opentelemetry.api.trace.SpanKind.SERVER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.trace.TraceAssembler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RunStatsTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final TraceAssembler assembler =
      TraceAssembler.builder().setQuietWindow(Duration.ofSeconds(2)).setClock(now::get).build();
  private final RunStats run =
      new RunStats(new OrphanRules(Set.of("gateway-svc:SERVER"), assembler::tracesOfOrder), assembler::tracesOfOrder);

  RunStatsTest() {
    assembler.onClose(run::add);
  }

  @Test
  void aTraceThatBeganBeforeTheRunDoesNotCountEvenIfItClosesDuringIt() {
    assembler.accept(List.of(span("a", "6", null, "consumer-svc", CONSUMER, "process orders", "old")));
    now.addAndGet(Duration.ofMillis(500).toNanos());
    run.reset(assembler.now());
    assembler.accept(List.of(span("b", "1", null, "gateway-svc", SERVER, "POST /orders", "new")));

    now.addAndGet(Duration.ofSeconds(3).toNanos());
    assembler.sweep();

    ScenarioReport report = run.report("r", Map.of());
    assertThat(report.requests()).isEqualTo(1);
    assertThat(report.services().get("consumer-svc").spans()).isZero();
    assertThat(report.services().get("gateway-svc").spans()).isEqualTo(1);
    assertThat(report.diagnoses()).isEmpty();
    assertThat(run.serviceFigures()).isEqualTo(report.services());
  }
}
