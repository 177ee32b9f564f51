// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.OrphanRules;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.TraceAssembler;
import dev.tracelab.auditor.trace.TraceClosed;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ./lab up}'s line per closed trace: each root marked, an orphan root with its boundary. */
class UpCommandTest {

  private static final String A = "a".repeat(32);
  private static final String B = "b".repeat(32);

  private static ReceivedSpan span(
      String trace, String id, String parent, String service, SpanKind kind, String name) {
    return new ReceivedSpan(
        trace,
        id,
        parent,
        service,
        kind,
        name,
        1,
        2,
        false,
        Map.of(LabFlowSpecs.CORRELATION, "order-1"),
        List.of());
  }

  @Test
  void brokenAsyncMarksTheOrphanRootWithItsBoundary() {
    FlowSpec spec = LabFlowSpecs.JAVA;
    TraceAssembler assembler = TraceAssembler.builder().setSpec(spec).build();
    List<TraceClosed> closed = new ArrayList<>();
    assembler.onClose(closed::add);
    assembler.accept(
        List.of(
            span(A, "1".repeat(16), null, "gateway-svc", SpanKind.SERVER, "POST /orders"),
            span(A, "2".repeat(16), "1".repeat(16), "gateway-svc", SpanKind.CLIENT, "POST"),
            span(A, "3".repeat(16), "2".repeat(16), "worker-svc", SpanKind.SERVER, "POST /work"),
            span(B, "4".repeat(16), null, "worker-svc", SpanKind.INTERNAL, "order.prepare"),
            span(B, "5".repeat(16), "4".repeat(16), "worker-svc", SpanKind.PRODUCER, "send orders"),
            span(
                B,
                "6".repeat(16),
                "5".repeat(16),
                "consumer-svc",
                SpanKind.CONSUMER,
                "process orders")));
    assembler.closeAll();
    OrphanRules rules = new OrphanRules();
    List<String> lines =
        closed.stream().map(c -> UpCommand.traceLine(c, rules, spec)).sorted().toList();
    assertThat(lines)
        .containsExactly(
            "trace "
                + A
                + " closed (request complete): 3 span(s), root gateway-svc POST /orders, order"
                + " order-1",
            "trace "
                + B
                + " closed (request complete): 3 span(s), ORPHAN root worker-svc order.prepare"
                + " (async), order order-1");
  }
}
