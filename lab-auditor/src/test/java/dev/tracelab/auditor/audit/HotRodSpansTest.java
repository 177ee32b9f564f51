// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.input.SpanFiles;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.FlowSpecYaml;
import dev.tracelab.auditor.spec.SpanSelector;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spans of a system nobody here wrote: Jaeger's HotROD (v1.76.0; frontend, customer, driver, route,
 * and its hand-made mysql and redis CLIENT spans that carry no protocol attribute), 48 requests, 4
 * in flight, a proxy that strips {@code traceparent} between frontend and customer. Exported over
 * OTLP/HTTP and saved as OTLP JSON Lines. The broken edge is frontend -> customer, 48 times, in any
 * arrival order, with the repository's spec and without one.
 */
class HotRodSpansTest {

  private static final int REQUESTS = 48;
  private static List<ReceivedSpan> spans;

  @BeforeAll
  static void read(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("hotrod.jsonl");
    try (InputStream in =
        new GZIPInputStream(
            HotRodSpansTest.class.getResourceAsStream("/hotrod/broken-4-in-flight.jsonl.gz"))) {
      Files.copy(in, file);
    }
    List<ReceivedSpan> read = new ArrayList<>();
    SpanFiles.read(file, read::add);
    spans = List.copyOf(read);
  }

  private static AuditReport audit(String mode, FlowSpec spec, List<ReceivedSpan> arrival) {
    try (Auditor auditor = Auditor.builder().setAuditMode(mode, spec).build()) {
      for (int i = 0; i < arrival.size(); i += 50) {
        auditor.assembler().accept(arrival.subList(i, Math.min(arrival.size(), i + 50)));
      }
      auditor.closeAll();
      return auditor.auditReport();
    }
  }

  /** {@code exported}, {@code reversed} or {@code shuffled-SEED} (span by span). */
  private static List<ReceivedSpan> arrival(String order) {
    List<ReceivedSpan> out = new ArrayList<>(spans);
    if (order.equals("reversed")) {
      Collections.reverse(out);
    } else if (order.startsWith("shuffled-")) {
      Collections.shuffle(out, new Random(Long.parseLong(order.substring("shuffled-".length()))));
    }
    return out;
  }

  /** The arrival orders: as exported, reversed, and ten seeded shuffles. */
  static Stream<String> orders() {
    return Stream.concat(
        Stream.of("exported", "reversed"),
        IntStream.rangeClosed(1, 10).mapToObj(n -> "shuffled-" + n));
  }

  @ParameterizedTest
  @MethodSource("orders")
  void theSpecNamesTheStrippedHopExactlyOncePerRequest(String order) throws Exception {
    FlowSpec spec = FlowSpecYaml.read(Path.of("..", "docs", "specs", "hotrod.yaml"));

    AuditReport r = audit("spec", spec, arrival(order));

    assertThat(r.brokenEdges())
        .extracting(BrokenEdge::label, BrokenEdge::count, BrokenEdge::side)
        .containsExactly(tuple("frontend -> customer (customer-http)", (long) REQUESTS, "callee"));
    assertFigures(r);
  }

  @ParameterizedTest
  @MethodSource("orders")
  void withoutASpecTheEdgeIsTheSame(String order) {
    FlowSpec entry =
        FlowSpec.entryOnly(List.of(new SpanSelector("frontend", SpanKind.SERVER, null)));

    AuditReport r = audit("entry", entry, arrival(order));

    assertThat(r.brokenEdges())
        .extracting(BrokenEdge::label, BrokenEdge::count, BrokenEdge::side)
        .containsExactly(tuple("frontend -> customer (http)", (long) REQUESTS, "callee"));
    assertFigures(r);
  }

  private static void assertFigures(AuditReport r) {
    // 48 frontend traces, 48 customer traces, and the page's one /config request
    assertThat(r.traces()).isEqualTo(2L * REQUESTS + 1);
    assertThat(r.connectedTraces()).isEqualTo(1);
    assertThat(r.services().get("customer"))
        .isEqualTo(new ServiceFigures(REQUESTS, REQUESTS, REQUESTS, 0, 1.0));
    assertThat(r.services())
        .allSatisfy(
            (service, f) -> {
              if (!service.equals("customer")) {
                assertThat(f.orphanSpans()).as(service).isZero();
              }
            });
  }

  @Test
  void theFixtureIsTheWholeRun() {
    assertThat(spans).hasSize(1897);
  }
}
