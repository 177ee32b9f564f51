// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import static dev.tracelab.testkit.TracelabAssertions.assertThat;
import static dev.tracelab.testkit.TracelabAssertions.byAttribute;
import static dev.tracelab.testkit.TracelabAssertions.byTraceId;

import dev.tracelab.auditor.orphans.AuditReport;
import io.opentelemetry.api.trace.SpanContext;
import java.time.Duration;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With a correlation attribute, a request is found by its value across trace ids: every fragment of
 * a shattered request, and the request figures in the report.
 */
class CorrelationTest {

  @RegisterExtension
  static final TracelabAuditor auditor =
      TracelabAuditor.builder()
          .setEntryPoints("frontend:SERVER")
          .setCorrelation(TwoServices.ORDER_ID)
          .setQuietWindow(Duration.ofMillis(300))
          .build();

  @Test
  void aRequestIsFoundByItsCorrelationValueWithEveryFragment() {
    SpanContext shattered;
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      services.request("o-1");
      shattered = services.request("o-2", true);
      services.request("o-3");
    }

    assertThat(auditor)
        .request(byAttribute(TwoServices.ORDER_ID, "o-1"))
        .isOneConnectedTrace()
        .hasSpanCount(4);
    assertThat(auditor)
        .request(byAttribute(TwoServices.ORDER_ID, "o-3"))
        .isOneConnectedTrace()
        .hasSpanCount(4);
    assertThat(auditor)
        .request(byAttribute(TwoServices.ORDER_ID, "o-2"))
        .hasTraceCount(2)
        .hasSpanCount(4);
    assertThat(auditor).request(byTraceId(shattered.getTraceId())).hasTraceCount(2);
    assertThat(auditor).hasTraceCount(4).hasBrokenEdge("frontend", "customer", 1);

    AuditReport report = auditor.report();
    Assertions.assertThat(report.mode()).isEqualTo("spec");
    Assertions.assertThat(report.requests()).isEqualTo(3);
    Assertions.assertThat(report.fragmentsPerRequest()).isEqualTo(4.0 / 3);
  }
}
