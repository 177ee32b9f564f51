// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import static dev.tracelab.testkit.TracelabAssertions.assertThat;
import static dev.tracelab.testkit.TracelabAssertions.byAttribute;
import static dev.tracelab.testkit.TracelabAssertions.byTraceId;
import static dev.tracelab.testkit.TracelabAssertions.byTraceresponse;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kit in-process, fed by real OTLP exporters of two crafted services: a healthy request is one
 * connected trace, a dropped context is the broken edge {@code frontend -> customer}, and each test
 * sees only its own traces in the report (a new run before each test).
 */
class TracelabAuditorTest {

  @RegisterExtension
  static final TracelabAuditor auditor =
      TracelabAuditor.builder()
          .setEntryPoints("frontend:SERVER")
          .setQuietWindow(Duration.ofSeconds(1))
          .build();

  @Test
  void healthyRequestIsOneConnectedTraceOfFourSpans() {
    SpanContext request;
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      request = services.request("o-1");
    }

    assertThat(auditor)
        .awaiting(Duration.ofSeconds(20))
        .request(byTraceId(request.getTraceId()))
        .isOneConnectedTrace()
        .hasTraceCount(1)
        .hasSpanCount(4)
        .hasPath(
            "frontend:SERVER:GET /dispatch",
            "frontend:CLIENT",
            "customer:SERVER",
            "customer:CLIENT");
    assertThat(auditor)
        .hasTraceCount(1)
        .hasConnectedTraceCount(1)
        .hasNoOrphans("frontend")
        .hasNoOrphans("customer")
        .orphanRateAtMost(0.0)
        .hasNoBrokenEdge();
  }

  @Test
  void traceresponseHeaderFindsTheRequest() {
    SpanContext request;
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      request = services.request("o-2");
    }
    String traceresponse = "00-" + request.getTraceId() + "-" + request.getSpanId() + "-01";

    assertThat(auditor)
        .request(byTraceresponse(traceresponse))
        .isOneConnectedTrace()
        .hasSpanCount(4);
  }

  @Test
  void spansOverOtlpHttpAndOtlpGrpcMeetInOneTrace() {
    SpanContext request;
    try (TwoServices services =
        TwoServices.overHttpAndGrpc(auditor.otlpHttpEndpoint(), auditor.otlpGrpcEndpoint())) {
      request = services.request("o-3");
    }

    assertThat(auditor)
        .request(byTraceId(request.getTraceId()))
        .isOneConnectedTrace()
        .hasSpanCount(4);
    assertThat(auditor).hasTraceCount(1).hasNoBrokenEdge();
  }

  @Test
  void droppedContextIsTwoTracesAndTheBrokenEdgeFrontendToCustomer() {
    SpanContext request;
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      request = services.request("o-4", true);
    }

    assertThat(auditor)
        .request(byTraceId(request.getTraceId()))
        .hasTraceCount(2)
        .hasSpanCount(4)
        .hasPath("frontend:SERVER", "frontend:CLIENT");
    assertThat(auditor)
        .hasTraceCount(2)
        .hasConnectedTraceCount(0)
        .hasBrokenEdge("frontend", "customer", 1)
        .hasNoOrphans("frontend")
        .orphanRateAtMost(0.5);
    AuditReport report = auditor.report();
    Assertions.assertThat(report.services().get("customer"))
        .isEqualTo(new ScenarioReport.ServiceFigures(2, 1, 1, 0, 0.5));
    Assertions.assertThat(report.brokenEdges())
        .extracting(BrokenEdge::label, BrokenEdge::count)
        .containsExactly(Assertions.tuple("frontend -> customer (http)", 1L));
  }

  @Test
  void everyDroppedContextCountsOnTheEdge() {
    List<SpanContext> requests = new ArrayList<>();
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      for (int i = 0; i < 5; i++) {
        requests.add(services.request("o-5-" + i, i % 2 == 1));
      }
    }

    assertThat(auditor)
        .hasTraceCount(7)
        .hasConnectedTraceCount(3)
        .hasBrokenEdge("frontend", "customer", 2);
    for (int i = 0; i < 5; i += 2) {
      assertThat(auditor)
          .request(byTraceId(requests.get(i).getTraceId()))
          .isOneConnectedTrace()
          .hasSpanCount(4);
    }
  }

  @Test
  void orphanRateOverTheLimitFailsNamingTheService() {
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      services.request("o-6", true);
    }

    assertThatThrownBy(
            () -> assertThat(auditor).awaiting(Duration.ofSeconds(5)).orphanRateAtMost(0.01))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith(
            "Expecting the auditor to find every service's orphan rate at most 0.01 (waited 5 s),"
                + " but:\n  over it: customer 0.5000\n")
        .hasMessageContaining(
            "    customer: 2 spans, 1 orphan (1 orphan root, 0 missing parents), orphan rate 0.5000\n");
  }

  @Test
  void aRequestFoundByAnAttributeNeedsTheCorrelationAttribute() {
    assertThatThrownBy(() -> assertThat(auditor).request(byAttribute("app.order_id", "o-7")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "byAttribute(app.order_id=o-7): the auditor finds requests by its correlation attribute only,"
                + " which is not set; give it 'app.order_id' (TracelabAuditor.builder().setCorrelation,"
                + " TracelabAuditorContainer.withCorrelation, or correlation: in the spec file)");
  }

  @Test
  void badSelectorsFailAtOnce() {
    assertThatThrownBy(() -> byTraceId("xyz"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a trace id is 32 hex digits, not all zero: 'xyz'");
    assertThatThrownBy(() -> byTraceresponse("00-abc-01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("a traceresponse header is version-traceid-spanid-flags");
  }
}
