// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.SpanSelector;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code audit --listen} as a team runs it: two services of someone else's system export with the
 * real OpenTelemetry SDK, one over OTLP/HTTP and one over OTLP/gRPC, to one auditor in audit mode;
 * the callee drops the context; {@code GET /api/report} names the edge, counted exactly, and {@code
 * /metrics} carries it.
 */
class AuditListenTest {

  private static final int N = 12;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static SdkTracerProvider provider(String service, SpanExporter exporter) {
    return SdkTracerProvider.builder()
        .setResource(
            Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service)))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
        .build();
  }

  @Test
  void spansOverOtlpHttpAndOtlpGrpcMeetInOneReportWithTheBrokenEdge() throws Exception {
    FlowSpec entry =
        FlowSpec.entryOnly(List.of(new SpanSelector("frontend", SpanKind.SERVER, null)));
    try (Auditor auditor =
            Auditor.builder()
                .setOtlpPort(0)
                .setOtlpGrpcPort(0)
                .setApiPort(0)
                .setQuietWindow(Duration.ofMillis(300))
                .setAuditMode("entry", entry)
                .start();
        SdkTracerProvider frontend =
            provider(
                "frontend",
                OtlpHttpSpanExporter.builder()
                    .setEndpoint(auditor.otlpEndpoint() + "/v1/traces")
                    .build());
        SdkTracerProvider customer =
            provider(
                "customer",
                OtlpGrpcSpanExporter.builder()
                    .setEndpoint(auditor.otlpGrpcEndpoint())
                    .setCompression("gzip")
                    .build())) {
      Tracer f = frontend.get("shop");
      Tracer c = customer.get("shop");
      for (int i = 0; i < N; i++) {
        Span server =
            f.spanBuilder("GET /dispatch")
                .setSpanKind(SpanKind.SERVER)
                .setNoParent()
                .setAttribute("url.path", "/dispatch")
                .startSpan();
        try (Scope ignored = server.makeCurrent()) {
          Span call =
              f.spanBuilder("HTTP GET")
                  .setSpanKind(SpanKind.CLIENT)
                  .setAttribute("http.request.method", "GET")
                  .setAttribute("url.full", "http://customer:8081/customer?customer=" + i)
                  .startSpan();
          // the header was stripped on the way: the callee starts a new trace
          Span callee =
              c.spanBuilder("GET /customer")
                  .setSpanKind(SpanKind.SERVER)
                  .setParent(Context.root())
                  .setAttribute("http.route", "/customer")
                  .setAttribute("url.path", "/customer")
                  .startSpan();
          callee.end();
          call.end();
        } finally {
          server.end();
        }
      }

      // as a service does on shutdown: everything ended is exported (one OTLP request per service)
      assertThat(frontend.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS).isSuccess())
          .isTrue();
      assertThat(customer.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS).isSuccess())
          .isTrue();
      HttpClient http = HttpClient.newHttpClient();
      JsonNode report =
          await()
              .atMost(Duration.ofSeconds(20))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () ->
                      JSON.readTree(
                          http.send(
                                  HttpRequest.newBuilder(
                                          URI.create(auditor.apiUrl() + "/api/report"))
                                      .build(),
                                  HttpResponse.BodyHandlers.ofString())
                              .body()),
                  r -> r.path("traces").asInt() == 2 * N);

      assertThat(report.path("mode").asText()).isEqualTo("entry");
      assertThat(report.path("connectedTraces").asInt()).isZero();
      assertThat(report.path("services").path("customer").path("orphanRoots").asInt()).isEqualTo(N);
      assertThat(report.path("services").path("customer").path("orphanRate").asDouble())
          .isEqualTo(1.0);
      assertThat(report.path("services").path("frontend").path("orphanRate").asDouble())
          .isEqualTo(0.0);
      assertThat(report.path("brokenEdges")).hasSize(1);
      JsonNode edge = report.path("brokenEdges").get(0);
      assertThat(
              edge.path("from").asText()
                  + " -> "
                  + edge.path("to").asText()
                  + " "
                  + edge.path("boundary").asText())
          .isEqualTo("frontend -> customer http");
      assertThat(edge.path("count").asInt()).isEqualTo(N);
      String metrics =
          http.send(
                  HttpRequest.newBuilder(URI.create(auditor.apiUrl() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains(
              "tracelab_broken_edge_calls_total{boundary=\"http\",from=\"frontend\",to=\"customer\"} "
                  + N
                  + ".0\n",
              "tracelab_orphan_rate{service=\"customer\"} 1.0");
    }
  }
}
