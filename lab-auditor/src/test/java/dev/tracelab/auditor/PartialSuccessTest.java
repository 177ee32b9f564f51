// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.tracelab.flow.Scenario;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request with some invalid spans (all-zero or wrongly sized ids) is taken for its valid spans
 * and answered 200 with the OTLP {@code partial_success}, in the request's encoding. Over real HTTP
 * on loopback.
 */
class PartialSuccessTest {

  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_SPAN = "0".repeat(16);

  private final Auditor auditor =
      Auditor.builder().setOtlpPort(0).setApiPort(0).setQuietWindow(Duration.ofSeconds(30)).start();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    auditor.close();
  }

  @Test
  void protobufRequestWithInvalidSpansIngestsTheValidOnesAndAnswersPartialSuccess()
      throws Exception {
    CraftedRequest r = CraftedRequest.of(41, Scenario.FIXED);
    ExportTraceServiceRequest valid =
        ExportTraceServiceRequest.parseFrom(r.protobuf(1, 2, 3, 4, 5, 6));
    ScopeSpans.Builder invalid =
        ScopeSpans.newBuilder()
            .addSpans(span("zero trace", ZERO_TRACE, "00000000000000a1", ""))
            .addSpans(span("zero span", "0000000000000000000000000000b001", ZERO_SPAN, ""))
            .addSpans(span("short span", "0000000000000000000000000000b002", "a1a2a3", ""))
            .addSpans(
                span(
                    "short parent", "0000000000000000000000000000b003", "00000000000000a4", "a4a4"))
            .addSpans(
                span("long trace", "0000000000000000000000000000b0040000", "00000000000000a5", ""));
    ExportTraceServiceRequest request =
        valid.toBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(valid.getResourceSpans(0).getResource())
                    .addScopeSpans(invalid))
            .build();

    HttpResponse<byte[]> response = post("application/x-protobuf", request.toByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    ExportTraceServiceResponse answer = ExportTraceServiceResponse.parseFrom(response.body());
    assertThat(answer.hasPartialSuccess()).isTrue();
    assertThat(answer.getPartialSuccess().getRejectedSpans()).isEqualTo(5);
    assertThat(answer.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "5 span(s) rejected, first: span 'zero trace' of gateway-svc: invalid trace id (all zero)");
    // the six valid spans made one complete, connected request
    assertThat(auditor.report().requests()).isEqualTo(1);
    assertThat(auditor.report().connectedRequests()).isEqualTo(1);
    assertThat(auditor.assembler().trace(r.traceIdOf(1)).spans()).hasSize(6);
    assertThat(auditor.rejectedSpans()).isEqualTo(5);
    assertThat(auditor.rejectedRequests()).isZero();
    assertThat(metrics()).contains("tracelab_otlp_spans_rejected_total 5.0\n");
  }

  @Test
  void jsonRequestWithInvalidSpansAnswersPartialSuccessInJsonAndAFullyValidOneAnEmptyResponse()
      throws Exception {
    CraftedRequest r = CraftedRequest.of(42, Scenario.FIXED);
    String valid = new String(r.json(1, 2, 3, 4, 5, 6), StandardCharsets.UTF_8);
    String invalid =
        "{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"worker-svc\"}}]},"
            + "\"scopeSpans\":[{\"spans\":["
            + "{\"traceId\":\""
            + ZERO_TRACE
            + "\",\"spanId\":\"00000000000000c1\",\"name\":\"zero trace\"},"
            + "{\"traceId\":\"0000000000000000000000000000c002\",\"spanId\":\""
            + ZERO_SPAN
            + "\",\"name\":\"zero span\"},"
            + "{\"traceId\":\"0000000000000000000000000000c003\",\"spanId\":\"not-hex!\",\"name\":\"not hex\"}]}]}";
    String body = valid.substring(0, valid.length() - 2) + "," + invalid + "]}";

    HttpResponse<byte[]> response = post("application/json", body.getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> clean =
        post("application/json", CraftedRequest.of(43, Scenario.FIXED).json(1, 2, 3, 4, 5, 6));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode answer = new ObjectMapper().readTree(response.body());
    assertThat(answer.path("partialSuccess").path("rejectedSpans").asLong()).isEqualTo(3);
    assertThat(answer.path("partialSuccess").path("errorMessage").asText())
        .isEqualTo(
            "3 span(s) rejected, first: span 'zero trace' of worker-svc: invalid trace id (all zero)");
    assertThat(clean.statusCode()).isEqualTo(200);
    assertThat(new String(clean.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
    assertThat(auditor.report().requests()).isEqualTo(2);
    assertThat(auditor.report().connectedRequests()).isEqualTo(2);
    assertThat(auditor.rejectedSpans()).isEqualTo(3);
  }

  private static Span.Builder span(String name, String traceId, String spanId, String parentId) {
    return Span.newBuilder()
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .setTraceId(ByteString.fromHex(traceId))
        .setSpanId(ByteString.fromHex(spanId))
        .setParentSpanId(ByteString.fromHex(parentId));
  }

  private HttpResponse<byte[]> post(String contentType, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(auditor.otlpEndpoint() + "/v1/traces"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private String metrics() throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(auditor.apiUrl() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
