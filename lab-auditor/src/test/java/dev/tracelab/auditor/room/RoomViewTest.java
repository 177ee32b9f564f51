// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.tracelab.auditor.Auditor;
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
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The room view: per learner (the {@code learner} resource attribute), which boundaries their spans
 * carried.
 */
class RoomViewTest {

  private final Auditor auditor =
      Auditor.builder().setOtlpPort(0).setApiPort(0).setQuietWindow(Duration.ofMillis(500)).start();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    auditor.close();
  }

  @Test
  void listsPerLearnerWhichBoundariesAreFixed() throws Exception {
    String t1 = "11111111111111111111111111111111";
    String t2 = "22222222222222222222222222222222";
    String t3 = "33333333333333333333333333333333";
    // alice: POST /work is the child of the gateway's CLIENT span (http fixed); order.prepare a
    // root (async broken)
    // (one export: a span arriving after its trace closed would be late, not judged)
    post(
        resource(
            "gateway-svc",
            "alice",
            span(t1, "a000000000000001", null, Span.SpanKind.SPAN_KIND_SERVER, "POST /orders"),
            span(
                t1,
                "a000000000000002",
                "a000000000000001",
                Span.SpanKind.SPAN_KIND_CLIENT,
                "POST")),
        resource(
            "worker-svc",
            "alice",
            span(
                t1,
                "a000000000000003",
                "a000000000000002",
                Span.SpanKind.SPAN_KIND_SERVER,
                "POST /work"),
            span(t2, "a000000000000004", null, Span.SpanKind.SPAN_KIND_INTERNAL, "order.prepare")));
    // bob: the process span is a root (kafka broken); spans without a learner are not in the room
    post(
        resource(
            "consumer-svc",
            "bob",
            span(
                t3, "b000000000000006", null, Span.SpanKind.SPAN_KIND_CONSUMER, "process orders")));
    post(
        resource(
            "worker-svc",
            null,
            span(t3 + "", "c000000000000003", null, Span.SpanKind.SPAN_KIND_SERVER, "POST /work")));

    String expected =
        "{\"learners\":["
            + "{\"learner\":\"alice\",\"boundaries\":{\"http\":\"fixed\",\"async\":\"broken\",\"kafka\":\"not seen\"},\"fixed\":1},"
            + "{\"learner\":\"bob\",\"boundaries\":{\"http\":\"not seen\",\"async\":\"not seen\",\"kafka\":\"broken\"},\"fixed\":0}]}";
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(get("/api/room").body()).isEqualTo(expected));
    HttpResponse<String> page = get("/room");
    assertThat(page.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
    assertThat(page.body())
        .contains(
            "<td>alice</td><td class=\"fixed\">fixed</td><td class=\"broken\">broken</td>"
                + "<td class=\"not seen\">not seen</td><td>1/3</td>");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(auditor.apiUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void post(ResourceSpans... resources) throws Exception {
    byte[] body =
        ExportTraceServiceRequest.newBuilder()
            .addAllResourceSpans(java.util.List.of(resources))
            .build()
            .toByteArray();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(auditor.otlpEndpoint() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  private static ResourceSpans resource(String service, String learner, Span... spans) {
    Resource.Builder resource = Resource.newBuilder().addAttributes(attr("service.name", service));
    if (learner != null) {
      resource.addAttributes(attr("learner", learner));
    }
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (Span s : spans) {
      scope.addSpans(s);
    }
    return ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope).build();
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static Span span(
      String traceId, String spanId, String parentId, Span.SpanKind kind, String name) {
    Span.Builder b =
        Span.newBuilder()
            .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(traceId)))
            .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(spanId)))
            .setKind(kind)
            .setName(name)
            .setStartTimeUnixNano(1_000)
            .setEndTimeUnixNano(2_000);
    if (parentId != null) {
      b.setParentSpanId(ByteString.copyFrom(HexFormat.of().parseHex(parentId)));
    }
    return b.build();
  }
}
