// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import static dev.tracelab.testkit.TracelabAssertions.assertThat;
import static dev.tracelab.testkit.TracelabAssertions.byTraceId;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelab.auditor.orphans.AuditReport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a failure prints, to the character: the request's traces as span trees (service, kind, name,
 * span and parent ids; the unanswered call and the orphan root marked), then the report with the
 * broken edge, its evidence, fix and example pair, and the diagnosis. The build log alone says
 * which boundary broke.
 */
class FailureMessageTest {

  @RegisterExtension
  static final TracelabAuditor auditor =
      TracelabAuditor.builder()
          .setEntryPoints("frontend:SERVER")
          .setQuietWindow(Duration.ofMillis(300))
          .build();

  @Test
  void aShatteredRequestPrintsItsTracesAsSpanTreesAndTheBrokenEdge() {
    TwoServices.Spans request;
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      request = services.spans("o-1", true);
    }
    // judged and paired first, so the message below is the final one
    assertThat(auditor).request(byTraceId(request.server().getTraceId())).hasTraceCount(2);
    assertThat(auditor).hasBrokenEdge("frontend", "customer", 1);
    AuditReport report = auditor.report();

    String t1 = request.server().getTraceId();
    String t2 = request.callee().getTraceId();
    String server = request.server().getSpanId();
    String call = request.call().getSpanId();
    String callee = request.callee().getSpanId();
    String query = request.query().getSpanId();
    assertThatThrownBy(
            () ->
                assertThat(auditor)
                    .awaiting(Duration.ofSeconds(1))
                    .request(byTraceId(t1))
                    .isOneConnectedTrace())
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            """
            Expecting byTraceId(%1$s) to be one connected trace (waited 1 s), but:
              - it is 2 traces, not one (fragments below)
              - trace %1$s: frontend CLIENT 'GET' has no child in its trace, and the report has the broken edge \
            frontend -> customer (http)
              - trace %2$s: its root customer SERVER 'GET /customer' is not an entry point (entry points: \
            frontend:SERVER)
            The request's 2 traces, as span trees (service KIND 'name' [span id, parent id]):
              trace %1$s (2 spans, judged)
                frontend SERVER 'GET /dispatch' [span %3$s, root]
                  frontend CLIENT 'GET' [span %4$s, parent %3$s]  <- unanswered call: no child in this trace
              trace %2$s (2 spans, judged)
                customer SERVER 'GET /customer' [span %5$s, root]  <- orphan root: not an entry point
                  customer CLIENT 'SELECT shop.customers' [span %6$s, parent %5$s]
            The auditor's report: 2 traces judged, 0 connected
              services:
                frontend: 2 spans, 0 orphans (0 orphan roots, 0 missing parents), orphan rate 0.0000
                customer: 2 spans, 1 orphan (1 orphan root, 0 missing parents), orphan rate 0.5000
              broken edges:
                frontend -> customer (http): 1 call, side either
                  evidence: 1 unanswered CLIENT 'GET' spans <-> 1 root SERVER 'GET /customer'
                  fix: %7$s
                  example: call span %4$s in trace %1$s -> root span %5$s in trace %2$s
              diagnoses:
                http at customer 'GET /customer' x1: %8$s"""
                .formatted(
                    t1,
                    t2,
                    server,
                    call,
                    callee,
                    query,
                    report.brokenEdges().get(0).fix(),
                    report.diagnoses().get(0).fix()));
  }

  @Test
  void aFailedAssertionOnTheRunPrintsEachEdgesExamplePairAsSpanTrees() {
    TwoServices.Spans request;
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      request = services.spans("o-2", true);
    }
    assertThat(auditor).hasBrokenEdge("frontend", "customer", 1);

    assertThatThrownBy(() -> assertThat(auditor).awaiting(Duration.ofSeconds(1)).hasNoBrokenEdge())
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith(
            """
            Expecting the auditor to find no broken edge (waited 1 s), but:
              it found frontend -> customer (http) x1
            The auditor's report: 2 traces judged, 0 connected
            """)
        .hasMessageContaining(
            """
                  example: call span %2$s in trace %1$s -> root span %4$s in trace %3$s
                    trace %1$s (2 spans, judged)
                      frontend SERVER 'GET /dispatch' [span %5$s, root]
                        frontend CLIENT 'GET' [span %2$s, parent %5$s]  <- unanswered call: no child in this trace
                    trace %3$s (2 spans, judged)
                      customer SERVER 'GET /customer' [span %4$s, root]  <- orphan root: not an entry point
                        customer CLIENT 'SELECT shop.customers' [span %6$s, parent %4$s]
            """
                .formatted(
                    request.server().getTraceId(),
                    request.call().getSpanId(),
                    request.callee().getTraceId(),
                    request.callee().getSpanId(),
                    request.server().getSpanId(),
                    request.query().getSpanId()));
  }

  @Test
  void aDescriptionIsPrefixedAsInAssertJ() {
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      services.request("o-3");
    }

    assertThatThrownBy(
            () ->
                assertThat(auditor).awaiting(Duration.ofSeconds(2)).as("checkout").hasTraceCount(2))
        .hasMessageStartingWith(
            "[checkout] Expecting the auditor to judge 2 traces (waited 2 s), but:\n"
                + "  it judged 1\n");
  }
}
