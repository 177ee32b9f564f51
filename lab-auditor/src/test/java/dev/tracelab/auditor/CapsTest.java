// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every cap of the auditor holds and is counted when hit (on {@code /metrics} and {@code
 * /api/stats}): spans per trace, late spans kept per trace, distinct service label values, spans
 * per API answer. Crafted OTLP over real HTTP on loopback.
 */
class CapsTest {

  private static final String TRACE = "0000000000000000000000000000ca01";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final Auditor auditor =
      Auditor.builder()
          .setOtlpPort(0)
          .setApiPort(0)
          .setQuietWindow(Duration.ofMillis(300))
          .setMaxSpansPerTrace(10)
          .setMaxLateSpansPerTrace(2)
          .setMaxServiceLabels(4) // the lab's three services and one more
          .setMaxApiSpans(5)
          .start();

  @AfterEach
  void stop() {
    auditor.close();
  }

  @Test
  void aTraceKeepsAtMostItsCapOfSpansAndOfLateSpansAndTheApiAnswerIsTruncatedAndFlagged()
      throws Exception {
    ScopeSpans.Builder spans = ScopeSpans.newBuilder();
    for (int i = 1; i <= 25; i++) {
      spans.addSpans(span(TRACE, i, i == 1 ? 0 : 1));
    }
    post(request("worker-svc", spans));
    await("trace closed")
        .atMost(Duration.ofSeconds(10))
        .until(() -> auditor.assembler().trace(TRACE).isClosed());
    ScopeSpans.Builder late = ScopeSpans.newBuilder();
    for (int i = 26; i <= 29; i++) {
      late.addSpans(span(TRACE, i, 1));
    }
    post(request("worker-svc", late));

    JsonNode answer = trace(TRACE);
    assertThat(answer.path("truncated").asBoolean()).isTrue();
    assertThat(answer.path("spanCount").asInt()).isEqualTo(10);
    assertThat(answer.path("spans").size()).isEqualTo(5);
    assertThat(answer.path("droppedSpans").asInt()).isEqualTo(15);
    assertThat(answer.path("lateSpanCount").asInt()).isEqualTo(2);
    assertThat(answer.path("lateSpans").size()).isEqualTo(2);
    assertThat(answer.path("droppedLateSpans").asInt()).isEqualTo(2);
    assertThat(auditor.assembler().trace(TRACE).spans()).hasSize(10);
    assertThat(metric("tracelab_spans_received_total", "service")).containsEntry("worker-svc", 14L);
    assertThat(metric("tracelab_late_spans_total", "service")).containsEntry("worker-svc", 4L);
    assertThat(metric("tracelab_cap_hits_total", "cap"))
        .containsEntry("spans_per_trace", 15L)
        .containsEntry("late_spans_per_trace", 2L)
        .containsEntry("api_spans", 1L)
        .containsEntry("service_labels", 0L);
    JsonNode caps = JSON.readTree(get("/api/stats")).path("caps");
    assertThat(caps.path("spans_per_trace").path("limit").asLong()).isEqualTo(10);
    assertThat(caps.path("spans_per_trace").path("hits").asLong()).isEqualTo(15);
    assertThat(caps.path("late_spans_per_trace").path("hits").asLong()).isEqualTo(2);
    assertThat(caps.path("api_spans").path("hits").asLong()).isEqualTo(1);
  }

  @Test
  void serviceNamesBeyondTheLabelCapAreCountedUnderOther() throws Exception {
    int trace = 0;
    for (String service : new String[] {"svc-a", "svc-b", "svc-c", "svc-b", "svc-a"}) {
      trace++;
      post(
          request(
              service,
              ScopeSpans.newBuilder()
                  .addSpans(span(String.format("%032x", 0xcb00 + trace), 1, 0))));
    }
    await("traces closed")
        .atMost(Duration.ofSeconds(10))
        .until(() -> auditor.assembler().tracesInFlight() == 0);

    assertThat(metric("tracelab_spans_received_total", "service"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("svc-a", 2L, "other", 3L));
    assertThat(metric("tracelab_cap_hits_total", "cap")).containsEntry("service_labels", 3L);
    assertThat(metric("tracelab_analysed_spans_total", "service"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "gateway-svc", 0L, "worker-svc", 0L, "consumer-svc", 0L, "svc-a", 2L, "other", 3L));
    assertThat(get("/metrics")).doesNotContain("svc-b").doesNotContain("svc-c");
  }

  // --- helpers

  private static Span.Builder span(String traceId, int id, int parent) {
    Span.Builder s =
        Span.newBuilder()
            .setTraceId(ByteString.fromHex(traceId))
            .setSpanId(ByteString.fromHex(String.format("%016x", id)))
            .setName("step " + id)
            .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
            .setStartTimeUnixNano(1_700_000_000_000_000_000L)
            .setEndTimeUnixNano(1_700_000_000_001_000_000L);
    if (parent != 0) {
      s.setParentSpanId(ByteString.fromHex(String.format("%016x", parent)));
    }
    return s;
  }

  private static byte[] request(String service, ScopeSpans.Builder spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue(service))))
                .addScopeSpans(spans))
        .build()
        .toByteArray();
  }

  private void post(byte[] body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.otlpEndpoint() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private String get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.apiUrl() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  private JsonNode trace(String traceId) throws Exception {
    return JSON.readTree(get("/api/traces/" + traceId));
  }

  private Map<String, Long> metric(String name, String label) throws Exception {
    Map<String, Long> out = new LinkedHashMap<>();
    Matcher m =
        Pattern.compile("(?m)^" + name + "\\{" + label + "=\"([^\"]+)\"} (\\S+)$")
            .matcher(get("/metrics"));
    while (m.find()) {
      out.put(m.group(1), (long) Double.parseDouble(m.group(2))); // counters print as 14.0
    }
    return out;
  }
}
