// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import static dev.tracelab.testkit.TracelabAssertions.assertThat;
import static dev.tracelab.testkit.TracelabAssertions.byAttribute;
import static dev.tracelab.testkit.TracelabAssertions.byTraceId;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Duration;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The same assertions against the auditor image: the crafted services export from the test's JVM to
 * the container's mapped OTLP ports (HTTP and gRPC), and the kit reads the container's API. One
 * container for the class, its report not reset: one test, a healthy request and a shattered one.
 */
@ExtendWith(AuditorImageAvailable.class)
class TracelabAuditorContainerTest {

  private static TracelabAuditorContainer auditor;

  @BeforeAll
  static void startAuditor() {
    auditor =
        new TracelabAuditorContainer(AuditorImageAvailable.IMAGE)
            .withEntryPoints("frontend:SERVER")
            .withCorrelation(TwoServices.ORDER_ID)
            .withQuietWindow(Duration.ofMillis(500));
    auditor.start();
  }

  @AfterAll
  static void stopAuditor() {
    if (auditor != null) {
      auditor.stop();
    }
  }

  @Test
  void healthyRequestIsConnectedAndADroppedContextIsTheNamedEdge() {
    SpanContext healthy;
    SpanContext shattered;
    try (TwoServices services =
        TwoServices.overHttpAndGrpc(auditor.otlpHttpEndpoint(), auditor.otlpGrpcEndpoint())) {
      healthy = services.request("o-1");
      shattered = services.request("o-2", true);
    }

    assertThat(auditor)
        .awaiting(Duration.ofSeconds(30))
        .request(byTraceId(healthy.getTraceId()))
        .isOneConnectedTrace()
        .hasSpanCount(4)
        .hasPath("frontend:SERVER", "frontend:CLIENT", "customer:SERVER", "customer:CLIENT");
    assertThat(auditor)
        .request(byAttribute(TwoServices.ORDER_ID, "o-2"))
        .hasTraceCount(2)
        .hasSpanCount(4);
    assertThat(auditor).request(byTraceId(shattered.getTraceId())).hasTraceCount(2);
    assertThat(auditor)
        .hasTraceCount(3)
        .hasConnectedTraceCount(1)
        .hasBrokenEdge("frontend", "customer", 1)
        .hasNoOrphans("frontend")
        .orphanRateAtMost(0.25);

    AuditReport report = auditor.report();
    Assertions.assertThat(report.services().get("customer"))
        .isEqualTo(new ScenarioReport.ServiceFigures(4, 1, 1, 0, 0.25));
    Assertions.assertThat(report.brokenEdges())
        .extracting(BrokenEdge::label, BrokenEdge::count)
        .containsExactly(Assertions.tuple("frontend -> customer (http)", 1L));
    Assertions.assertThat(auditor.networkOtlpHttpEndpoint())
        .isEqualTo("http://tracelab-auditor:4318");
  }

  @Test
  void theShapeAssertionsJudgeBySpecFileCopiedIntoTheContainer() {
    try (TracelabAuditorContainer specAuditor =
        new TracelabAuditorContainer(AuditorImageAvailable.IMAGE)
            .withSpec(SpecShapeTest.SPEC)
            .withQuietWindow(Duration.ofMillis(500))) {
      specAuditor.start();
      TwoServices.Spans linked;
      try (TwoServices services =
          TwoServices.overHttpAndGrpc(
              specAuditor.otlpHttpEndpoint(), specAuditor.otlpGrpcEndpoint())) {
        services.spans("s-1", false);
        services.spans("s-2", true);
        linked = services.spans("s-3", false, true);
      }

      assertThat(specAuditor)
          .awaiting(Duration.ofSeconds(30))
          .request(byAttribute(TwoServices.ORDER_ID, "s-1"))
          .matchesSpec();
      assertThat(specAuditor)
          .request(byAttribute(TwoServices.ORDER_ID, "s-2"))
          .matchesSpecBrokenAt("customer:SERVER");
      assertThat(specAuditor)
          .request(byTraceId(linked.server().getTraceId()))
          .matchesSpecLinkedAt("customer:SERVER")
          .hasTracesSatisfying(
              traces ->
                  Assertions.assertThat(traces.get(1).roots().get(0).links())
                      .containsExactly(
                          new AuditedSpan.Link(
                              linked.call().getTraceId(), linked.call().getSpanId())));
    }
  }
}
