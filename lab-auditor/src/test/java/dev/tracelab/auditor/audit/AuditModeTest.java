// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport.ServiceFigures;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.FlowSpecYaml;
import dev.tracelab.auditor.spec.SpanSelector;
import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The auditor on a system it was not written for (docs/design.md §11): spec-less and with a spec,
 * broken edges across trace ids counted exactly under concurrency, and no word of the lab in any
 * output.
 */
class AuditModeTest {

  private static final FlowSpec ENTRY =
      FlowSpec.entryOnly(List.of(new SpanSelector("web", SpanKind.SERVER, null)));
  private static final int N = 100;

  /** Judges {@code spans} in an unstarted auditor, in a shuffled arrival order. */
  private static AuditReport audit(String mode, FlowSpec spec, List<ReceivedSpan> spans) {
    List<ReceivedSpan> shuffled = new ArrayList<>(spans);
    Collections.shuffle(shuffled, new Random(7));
    try (Auditor auditor = Auditor.builder().setAuditMode(mode, spec).build()) {
      for (int i = 0; i < shuffled.size(); i += 37) {
        auditor.assembler().accept(shuffled.subList(i, Math.min(shuffled.size(), i + 37)));
      }
      auditor.closeAll();
      return auditor.auditReport();
    }
  }

  @Test
  void healthyEveryTraceIsConnectedAndNoEdgeIsBrokenTheDatabaseCallIsNoDefect() {
    AuditReport r = audit("entry", ENTRY, new ThirdPartySystem().requests(N));

    assertThat(r.traces()).isEqualTo(N);
    assertThat(r.connectedTraces()).isEqualTo(N);
    assertThat(r.brokenEdges()).isEmpty();
    assertThat(r.diagnoses()).isEmpty();
    assertThat(r.services().keySet())
        .containsExactlyInAnyOrder("web", "payments", "mailer", "inventory");
    assertThat(r.services().get("web")).isEqualTo(new ServiceFigures(5L * N, 0, 0, 0, 0.0));
    assertThat(r.requests()).isNull(); // no correlation attribute: "request" is not defined
  }

  @Test
  void aStrippedHeaderIsOneBrokenEdgeCountedExactlyUnderConcurrencyAndTheCallerInjectsElsewhere() {
    ThirdPartySystem system = new ThirdPartySystem();
    system.breakPayments = true;

    AuditReport r = audit("entry", ENTRY, system.requests(N));

    assertThat(r.traces()).isEqualTo(2L * N);
    assertThat(r.connectedTraces())
        .isZero(); // web's traces lost a call; payments' traces have no entry root
    assertThat(r.services().get("payments")).isEqualTo(new ServiceFigures(2L * N, N, N, 0, 0.5));
    assertThat(r.services().get("mailer")).isEqualTo(new ServiceFigures(N, 0, 0, 0, 0.0));
    assertThat(r.brokenEdges())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.label()).isEqualTo("web -> payments (http)");
              assertThat(e.count()).isEqualTo(N);
              assertThat(e.likely()).isFalse();
              assertThat(e.side())
                  .isEqualTo("callee"); // web's gRPC calls to inventory are answered: it injects
              assertThat(e.evidence())
                  .isEqualTo(
                      N
                          + " unanswered CLIENT 'POST' spans <-> "
                          + N
                          + " root SERVER 'POST /charge/{id}'");
              assertThat(e.fix())
                  .startsWith(
                      "Fix the callee's extract (payments), or what sits between them: web's other calls are answered, so it injects.")
                  .contains("may strip the traceparent header");
            });
    assertThat(r.diagnoses())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.boundary()).isEqualTo("http");
              assertThat(d.service()).isEqualTo("payments");
              assertThat(d.count()).isEqualTo(N);
            });
  }

  @Test
  void handMadeClientSpansThatOverlapTheBrokenCallNeverTakeItsRoot() {
    // HotROD's shape: CLIENT spans with no protocol attribute (a cache read, a ledger query naming
    // its peer.service) overlap the stripped call in time; under concurrency and in any arrival
    // order, the callee's roots still pair with the HTTP calls that the path backs, and only them
    ThirdPartySystem system = new ThirdPartySystem();
    system.breakPayments = true;
    system.handMadeClients = true;

    AuditReport r = audit("entry", ENTRY, system.requests(N));

    assertThat(r.brokenEdges())
        .extracting(BrokenEdge::label, BrokenEdge::count, BrokenEdge::evidence)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "web -> payments (http)",
                (long) N,
                N
                    + " unanswered CLIENT 'POST' spans <-> "
                    + N
                    + " root SERVER 'POST /charge/{id}'"));
    assertThat(r.services().get("payments"))
        .isEqualTo(new ServiceFigures(3L * N, N, N, 0, 1.0 / 3));
    assertThat(r.connectedTraces()).isZero();
  }

  @Test
  void aPairOnlyTimeSupportsIsTakenWhenTheInputEndsAndNoBetterPartnerCame() {
    // no attribute on any span: nothing but time links web's call and payments' new trace; the
    // requests do not overlap, so time alone is unambiguous
    ThirdPartySystem system = new ThirdPartySystem();
    system.breakPayments = true;
    system.bare = true;
    system.spacingMs = 1_000;

    AuditReport r = audit("entry", ENTRY, system.requests(10));

    assertThat(r.brokenEdges())
        .extracting(BrokenEdge::label, BrokenEdge::count)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("web -> payments (http)", 10L));
  }

  @Test
  void everyEdgeBrokenAtOnceEachCountsExactlyAndNothingElse() {
    ThirdPartySystem system = new ThirdPartySystem();
    system.breakPayments = true;
    system.breakReceipts = true;
    system.breakBackground = true;

    AuditReport r = audit("entry", ENTRY, system.requests(N));

    assertThat(r.brokenEdges())
        .extracting(BrokenEdge::label, BrokenEdge::count, BrokenEdge::likely)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("web -> payments (http)", (long) N, false),
            org.assertj.core.groups.Tuple.tuple("payments -> mailer (messaging)", (long) N, false),
            org.assertj.core.groups.Tuple.tuple("web -> web (async)", (long) N, true));
    assertThat(r.services().get("web")).isEqualTo(new ServiceFigures(5L * N, N, N, 0, 0.2));
    assertThat(r.services().get("mailer")).isEqualTo(new ServiceFigures(N, N, N, 0, 1.0));
  }

  @Test
  void withASpecTheCorrelationBacksEveryPairAndTheHopNamesTheEdgeAndTheSide() throws Exception {
    FlowSpec spec =
        FlowSpecYaml.parse(
            "shop.yaml",
            new StringReader(
                """
        name: shop
        entryPoints: [web:SERVER]
        correlation: app.request_id
        hops:
          - {id: charge, from: "web:CLIENT:POST", to: "payments:SERVER", boundary: http, side: caller}
          - {id: receipts, from: "payments:PRODUCER", to: "mailer:CONSUMER", boundary: messaging, link: true}
          - {id: background, from: "web:SERVER", to: "web:INTERNAL:audit.write", boundary: async}
        """));
    ThirdPartySystem system = new ThirdPartySystem();
    system.correlate = true;
    system.breakPayments = true;
    system.breakBackground = true;

    AuditReport r = audit("spec", spec, system.requests(N));

    assertThat(r.requests()).isEqualTo(N);
    assertThat(r.connectedRequests()).isZero();
    assertThat(r.fragmentsPerRequest()).isEqualTo(3.0);
    assertThat(r.brokenEdges())
        .extracting(BrokenEdge::label, BrokenEdge::count, BrokenEdge::likely, BrokenEdge::side)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "web -> payments (charge)", (long) N, false, "caller"),
            org.assertj.core.groups.Tuple.tuple(
                "web -> web (background)", (long) N, false, "either"));
    assertThat(r.diagnoses())
        .extracting(d -> d.boundary() + " " + d.service() + " " + d.span() + " " + d.count())
        .containsExactlyInAnyOrder(
            "charge payments POST /charge/{id} " + N, "background web audit.write " + N);
  }

  @Test
  void noWordOfTheLabInAnyOutputOfTheSpecLessMode() throws Exception {
    ThirdPartySystem system = new ThirdPartySystem();
    system.breakPayments = true;
    system.breakReceipts = true;
    system.breakBackground = true;
    AuditReport r = audit("entry", ENTRY, system.requests(10));

    String json = new ObjectMapper().writeValueAsString(r);
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    dev.tracelab.auditor.cli.AuditCommand.printSummary(
        new java.io.PrintStream(text, true, "UTF-8"), r, 0.01, -1, 0);
    for (String output : List.of(json, text.toString("UTF-8"))) {
      assertThat(output)
          .doesNotContainIgnoringCase("gateway-svc")
          .doesNotContainIgnoringCase("worker-svc")
          .doesNotContainIgnoringCase("consumer-svc")
          .doesNotContain(".java")
          .doesNotContain("app.order_id")
          .doesNotContainIgnoringCase("kafka")
          .doesNotContain("orders")
          .doesNotContain("TracingHttpClient");
    }
    assertThat(json).contains("\"mode\":\"entry\"", "\"brokenEdges\"");
  }
}
