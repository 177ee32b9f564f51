// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.telemetry.zipkin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tracelab.telemetry.LabTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code otel.traces.exporter=zipkin} through autoconfigure, against a real HTTP endpoint. */
class ZipkinJsonSpanExporterTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private HttpServer zipkin;

  @BeforeEach
  void startZipkinEndpoint() throws Exception {
    zipkin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    zipkin.createContext(
        "/api/v2/spans",
        exchange -> {
          contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
          JSON.readTree(exchange.getRequestBody().readAllBytes()).forEach(received::add);
          exchange.sendResponseHeaders(202, -1);
          exchange.close();
        });
    zipkin.start();
  }

  @AfterEach
  void stop() {
    zipkin.stop(0);
  }

  @Test
  void spansArriveAsZipkinV2JsonWithParentKindServiceAndErrorTags() {
    String endpoint = "http://127.0.0.1:" + zipkin.getAddress().getPort() + "/api/v2/spans";
    OpenTelemetrySdk sdk =
        LabTelemetry.create(
            "worker-svc",
            Map.of("otel.traces.exporter", "zipkin", "otel.exporter.zipkin.endpoint", endpoint));
    Tracer tracer = sdk.getTracer("tracelab-test");
    Span server = tracer.spanBuilder("POST /work").setSpanKind(SpanKind.SERVER).startSpan();
    Span work;
    try (Scope ignored = server.makeCurrent()) {
      work = tracer.spanBuilder("order.prepare").setAttribute("app.order_id", "o-1").startSpan();
      work.setStatus(StatusCode.ERROR, "boom");
      work.end();
    }
    server.end();
    assertThat(sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS).isSuccess())
        .isTrue();
    sdk.close();

    assertThat(contentTypes).containsOnly("application/json");
    assertThat(received).hasSize(2);
    JsonNode s =
        received.stream()
            .filter(n -> n.get("name").asText().equals("POST /work"))
            .findFirst()
            .orElseThrow();
    JsonNode w =
        received.stream()
            .filter(n -> n.get("name").asText().equals("order.prepare"))
            .findFirst()
            .orElseThrow();
    assertThat(s.get("traceId").asText()).isEqualTo(server.getSpanContext().getTraceId());
    assertThat(s.get("id").asText()).isEqualTo(server.getSpanContext().getSpanId());
    assertThat(s.has("parentId")).isFalse();
    assertThat(s.get("kind").asText()).isEqualTo("SERVER");
    assertThat(s.get("localEndpoint").get("serviceName").asText()).isEqualTo("worker-svc");
    assertThat(s.get("duration").asLong()).isPositive();
    assertThat(w.get("traceId").asText()).isEqualTo(s.get("traceId").asText());
    assertThat(w.get("parentId").asText()).isEqualTo(server.getSpanContext().getSpanId());
    assertThat(w.has("kind")).as("INTERNAL has no Zipkin kind").isFalse();
    assertThat(w.get("tags").get("app.order_id").asText()).isEqualTo("o-1");
    assertThat(w.get("tags").get("otel.status_code").asText()).isEqualTo("ERROR");
    assertThat(w.get("tags").get("error").asText()).isEqualTo("boom");
    assertThat(w.get("timestamp").asLong()).isGreaterThanOrEqualTo(s.get("timestamp").asLong());
  }
}
