// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.otlp.OtlpDecoder;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IngestWorkloadTest {

  private final IngestWorkload workload = new IngestWorkload();

  @Test
  void everyRequestHoldsCompleteTracesWithIdsOfItsOwn() {
    Set<String> traceIds = new HashSet<>();
    Set<String> spanIds = new HashSet<>();
    Set<String> orderIds = new HashSet<>();
    for (long k = 0;
        k < 40;
        k++) { // more than the templates: ids come from k, not from the template
      List<ReceivedSpan> spans = OtlpDecoder.decodeProtobuf(workload.request(k));
      assertThat(spans).hasSize(workload.spansPerRequest());
      for (ReceivedSpan s : spans) {
        traceIds.add(s.traceId());
        spanIds.add(s.spanId());
        orderIds.add(s.attributes().get("app.order_id"));
        if (s.parentSpanId() != null) {
          assertThat(spans)
              .anySatisfy(
                  p -> {
                    assertThat(p.spanId()).isEqualTo(s.parentSpanId());
                    assertThat(p.traceId()).isEqualTo(s.traceId());
                  });
        }
      }
    }
    assertThat(traceIds).hasSize(40 * IngestWorkload.TRACES_PER_REQUEST);
    assertThat(orderIds).hasSize(40 * IngestWorkload.TRACES_PER_REQUEST);
    assertThat(spanIds).hasSize(40 * workload.spansPerRequest());
    byte[] into = new byte[workload.maxRequestBytes() + 10];
    int n = workload.write(123, into, 10);
    assertThat(java.util.Arrays.copyOfRange(into, 10, 10 + n)).isEqualTo(workload.request(123));
  }

  @Test
  void theLoadGeneratorFeedsAnAuditorWhichJudgesEveryTraceConnected() throws Exception {
    try (Auditor auditor =
        Auditor.builder()
            .setOtlpPort(0)
            .setApiPort(0)
            .setAuditMode("spec", LabFlowSpecs.JAVA)
            .setQuietWindow(Duration.ofSeconds(2))
            .start()) {
      int port = Integer.parseInt(auditor.otlpEndpoint().replaceAll(".*:", ""));
      OtlpHttpLoad.Counts counts;
      try (OtlpHttpLoad load = OtlpHttpLoad.start(workload, "127.0.0.1", port, 2, 0)) {
        await()
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> load.counts().requests() >= 50);
        load.close();
        counts = load.counts();
        assertThat(load.firstError()).isNull();
      }
      assertThat(counts.requests()).isGreaterThanOrEqualTo(50);
      assertThat(counts.spans()).isEqualTo(counts.requests() * workload.spansPerRequest());
      assertThat(counts.errors()).isZero();
      assertThat(auditor.acceptedRequests()).isEqualTo(counts.requests());
      AuditReport report = auditor.auditReport();
      assertThat(report.traces()).isEqualTo(counts.requests() * IngestWorkload.TRACES_PER_REQUEST);
      assertThat(report.connectedTraces()).isEqualTo(report.traces());
      assertThat(report.brokenEdges()).isEmpty();
    }
  }

  @Test
  void metricFamiliesAreSummedAcrossLabels() {
    String text =
        String.join(
            "\n",
            "# HELP otelcol_receiver_accepted_spans x",
            "otelcol_receiver_accepted_spans{receiver=\"otlp\",transport=\"http\"} 120",
            "otelcol_receiver_accepted_spans{receiver=\"otlp\",transport=\"grpc\"} 5",
            "otelcol_receiver_accepted_spans_other 7",
            "");
    assertThat(IngestBench.metricSum(text, "otelcol_receiver_accepted_spans")).isEqualTo(125);
    assertThat(IngestBench.jsonLong("{\"a\": 1, \"traces\" : 42}", "traces")).isEqualTo(42);
    assertThat(IngestBench.parseMillis("2s")).isEqualTo(2000);
    assertThat(IngestBench.parseMillis("500ms")).isEqualTo(500);
  }
}
