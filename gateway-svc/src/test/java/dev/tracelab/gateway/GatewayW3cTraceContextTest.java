// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.flow.Variant;
import io.javalin.Javalin;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * W3C Trace Context through the whole gateway: what a caller sends in, what reaches the worker
 * (ServerTracing extracts, TracingHttpClient injects) and the traceresponse the caller gets back.
 * "TC1" = Level 1 Recommendation, "TC2" = Level 2; see docs/w3c-trace-context.md.
 */
class GatewayW3cTraceContextTest {

  @RegisterExtension static final OpenTelemetryExtension testing = OpenTelemetryExtension.create();

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CALLER_SPAN = "00f067aa0ba902b7";

  private Javalin worker;
  private GatewayService gateway;
  private final AtomicReference<List<Map.Entry<String, String>>> received = new AtomicReference<>();

  @BeforeEach
  void start() {
    worker = Javalin.create(cfg -> cfg.showJavalinBanner = false);
    worker.post(
        "/work",
        ctx -> {
          List<Map.Entry<String, String>> lines = new ArrayList<>();
          for (String name : Collections.list(ctx.req().getHeaderNames())) {
            for (String value : Collections.list(ctx.req().getHeaders(name))) {
              lines.add(Map.entry(name, value));
            }
          }
          received.set(lines);
          ctx.status(202);
        });
    worker.start("127.0.0.1", 0);
    gateway =
        GatewayService.start(
            new GatewayConfig(
                "127.0.0.1", 0, URI.create("http://127.0.0.1:" + worker.port()), Variant.FIXED),
            testing.getOpenTelemetry());
  }

  @AfterEach
  void stop() {
    gateway.close();
    worker.stop();
  }

  private HttpResponse<String> order(String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/orders"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"ABC-1\",\"quantity\":1}"));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<String> atWorker(String name) {
    return received.get().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .toList();
  }

  private SpanData span(SpanKind kind) {
    return testing.getSpans().stream().filter(s -> s.getKind() == kind).findFirst().orElseThrow();
  }

  @Test
  @DisplayName(
      "[TC1 §3.4 Update parent-id; §3.5 Mutating the tracestate Field; §3.3 multiple fields combined]"
          + " trace-id kept, parent-id = the gateway's CLIENT span, tracestate sent on unchanged as one field")
  void callerContextReachesTheWorker() throws Exception {
    HttpResponse<String> response =
        order(
            "traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01",
            "tracestate", "rojo=00f067aa0ba902b7",
            "tracestate", "congo=t61rcWkgMzE");

    assertThat(response.statusCode()).isEqualTo(202);
    SpanData server = span(SpanKind.SERVER);
    SpanData client = span(SpanKind.CLIENT);
    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    s ->
                        s.hasName("POST /orders").hasTraceId(TRACE_ID).hasParentSpanId(CALLER_SPAN),
                    s -> s.hasName("POST").hasParent(server)));
    assertThat(atWorker("traceparent"))
        .containsExactly("00-" + TRACE_ID + "-" + client.getSpanId() + "-01");
    assertThat(atWorker("tracestate")).containsExactly("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    // traceresponse draft: child-id = the gateway's SERVER span; flags as the caller sent them (01)
    assertThat(response.headers().allValues("traceresponse"))
        .containsExactly("00-" + TRACE_ID + "-" + server.getSpanId() + "-01");
  }

  @ParameterizedTest(
      name =
          "[TC1 §3.4 Restart trace; §4.3 step 2.3] invalid traceparent \"{0}\": the worker gets a new trace-id and no tracestate")
  @ValueSource(
      strings = {
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      })
  void invalidCallerTraceparentRestarts(String traceparent) throws Exception {
    HttpResponse<String> response =
        order("traceparent", traceparent, "tracestate", "congo=t61rcWkgMzE");

    SpanData server = span(SpanKind.SERVER);
    SpanData client = span(SpanKind.CLIENT);
    assertThat(server.getParentSpanContext().isValid()).isFalse();
    assertThat(server.getTraceId()).isNotEqualToIgnoringCase(TRACE_ID).isNotEqualTo("0".repeat(32));
    assertThat(atWorker("traceparent"))
        .containsExactly("00-" + server.getTraceId() + "-" + client.getSpanId() + "-03");
    assertThat(atWorker("tracestate")).isEmpty();
    assertThat(response.headers().allValues("traceresponse"))
        .containsExactly("00-" + server.getTraceId() + "-" + server.getSpanId() + "-03");
  }

  @Test
  @DisplayName(
      "[TC2 §3.2.2.5.2 Random Trace ID Flag] a caller's random-trace-id flag MUST be set on every outgoing"
          + " traceparent with that trace-id, and mirrored in the traceresponse")
  void randomFlagIsCarriedThrough() throws Exception {
    HttpResponse<String> response =
        order("traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-03");

    SpanData server = span(SpanKind.SERVER);
    SpanData client = span(SpanKind.CLIENT);
    assertThat(atWorker("traceparent"))
        .containsExactly("00-" + TRACE_ID + "-" + client.getSpanId() + "-03");
    assertThat(response.headers().allValues("traceresponse"))
        .containsExactly("00-" + TRACE_ID + "-" + server.getSpanId() + "-03");
  }

  @Test
  @DisplayName(
      "[TC1 §4.2 No traceparent Received] the gateway starts the trace; the worker continues it")
  void noCallerContextStartsATrace() throws Exception {
    HttpResponse<String> response = order();

    SpanData server = span(SpanKind.SERVER);
    SpanData client = span(SpanKind.CLIENT);
    assertThat(server.getParentSpanContext().isValid()).isFalse();
    assertThat(atWorker("traceparent"))
        .containsExactly("00-" + server.getTraceId() + "-" + client.getSpanId() + "-03");
    assertThat(response.body()).contains("\"traceId\":\"" + server.getTraceId() + "\"");
  }
}
