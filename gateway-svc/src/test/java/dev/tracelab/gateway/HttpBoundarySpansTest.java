// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.equalTo;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.satisfies;

import dev.tracelab.broken.XTraceIdHttpClient;
import dev.tracelab.http.HttpCall;
import dev.tracelab.http.ServerTracing;
import io.javalin.Javalin;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.semconv.ClientAttributes;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.NetworkAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import io.opentelemetry.semconv.UserAgentAttributes;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP boundary span by span: the gateway's client (fixed {@link TracingHttpClient}, broken
 * {@link XTraceIdHttpClient}) calling a real loopback worker whose route is wrapped by {@link
 * ServerTracing}, both on one in-memory SDK.
 */
class HttpBoundarySpansTest {

  @RegisterExtension static final OpenTelemetryExtension testing = OpenTelemetryExtension.create();

  private Javalin worker;
  private int status = 202;

  /** Header lines the worker received, names as on the wire. */
  private final AtomicReference<List<Map.Entry<String, String>>> received = new AtomicReference<>();

  @BeforeEach
  void startWorker() {
    ServerTracing tracing = ServerTracing.create(testing.getOpenTelemetry());
    worker = Javalin.create(cfg -> cfg.showJavalinBanner = false);
    worker.post(
        "/work",
        tracing.wrap(
            "/work",
            ctx -> {
              List<Map.Entry<String, String>> lines = new ArrayList<>();
              for (String name : Collections.list(ctx.req().getHeaderNames())) {
                for (String value : Collections.list(ctx.req().getHeaders(name))) {
                  lines.add(Map.entry(name, value));
                }
              }
              received.set(lines);
              ctx.status(status);
            }));
    worker.start("127.0.0.1", 0);
  }

  @AfterEach
  void stopWorker() {
    worker.stop();
  }

  private URI workUrl() {
    return URI.create("http://127.0.0.1:" + worker.port() + "/work");
  }

  private HttpRequest post(URI url) {
    return HttpRequest.newBuilder(url)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build();
  }

  private List<String> receivedValues(String name) {
    return received.get().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .toList();
  }

  @Test
  void fixedClientSpanIsTheParentOfTheWorkersServerSpan() throws Exception {
    HttpCall client =
        TracingHttpClient.create(testing.getOpenTelemetry(), HttpClient.newHttpClient());

    client.send(post(workUrl()));

    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span ->
                        span.hasName("POST")
                            .hasKind(SpanKind.CLIENT)
                            .hasNoParent()
                            .hasStatus(StatusData.unset())
                            .hasAttributesSatisfyingExactly(
                                equalTo(HttpAttributes.HTTP_REQUEST_METHOD, "POST"),
                                equalTo(UrlAttributes.URL_FULL, workUrl().toString()),
                                equalTo(ServerAttributes.SERVER_ADDRESS, "127.0.0.1"),
                                equalTo(ServerAttributes.SERVER_PORT, (long) worker.port()),
                                equalTo(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, 202L),
                                equalTo(NetworkAttributes.NETWORK_PROTOCOL_VERSION, "1.1")),
                    span ->
                        span.hasName("POST /work")
                            .hasKind(SpanKind.SERVER)
                            .hasParent(trace.actual().get(0))
                            .hasStatus(StatusData.unset())
                            .hasAttributesSatisfyingExactly(
                                equalTo(HttpAttributes.HTTP_REQUEST_METHOD, "POST"),
                                equalTo(HttpAttributes.HTTP_ROUTE, "/work"),
                                equalTo(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, 202L),
                                equalTo(UrlAttributes.URL_PATH, "/work"),
                                equalTo(UrlAttributes.URL_SCHEME, "http"),
                                equalTo(ServerAttributes.SERVER_ADDRESS, "127.0.0.1"),
                                equalTo(ServerAttributes.SERVER_PORT, (long) worker.port()),
                                satisfies(
                                    UserAgentAttributes.USER_AGENT_ORIGINAL,
                                    ua -> ua.startsWith("Java-http-client/")),
                                equalTo(ClientAttributes.CLIENT_ADDRESS, "127.0.0.1"),
                                equalTo(NetworkAttributes.NETWORK_PEER_ADDRESS, "127.0.0.1"),
                                satisfies(
                                    NetworkAttributes.NETWORK_PEER_PORT, port -> port.isPositive()),
                                equalTo(NetworkAttributes.NETWORK_PROTOCOL_VERSION, "1.1"))));
    SpanData clientSpan =
        testing.getSpans().stream()
            .filter(s -> s.getKind() == SpanKind.CLIENT)
            .findFirst()
            .orElseThrow();
    // on the wire: one traceparent naming the CLIENT span, in lowercase, and no home-made header
    Assertions.assertThat(
            received.get().stream()
                .map(Map.Entry::getKey)
                .filter(n -> n.equalsIgnoreCase("traceparent")))
        .containsExactly("traceparent");
    Assertions.assertThat(receivedValues("traceparent"))
        .containsExactly("00-" + clientSpan.getTraceId() + "-" + clientSpan.getSpanId() + "-03");
    Assertions.assertThat(receivedValues("X-Trace-ID")).isEmpty();
  }

  @Test
  void brokenClientSendsOnlyXTraceIdSoTheWorkerStartsANewTrace() throws Exception {
    HttpCall client =
        XTraceIdHttpClient.create(testing.getOpenTelemetry(), HttpClient.newHttpClient());

    client.send(post(workUrl()));

    // the worker's span ends (and is exported) before the client gets the answer: its trace is
    // first
    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span -> span.hasName("POST /work").hasKind(SpanKind.SERVER).hasNoParent()),
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span -> span.hasName("POST").hasKind(SpanKind.CLIENT).hasNoParent()));
    SpanData clientSpan =
        testing.getSpans().stream()
            .filter(s -> s.getKind() == SpanKind.CLIENT)
            .findFirst()
            .orElseThrow();
    SpanData serverSpan =
        testing.getSpans().stream()
            .filter(s -> s.getKind() == SpanKind.SERVER)
            .findFirst()
            .orElseThrow();
    Assertions.assertThat(serverSpan.getTraceId()).isNotEqualTo(clientSpan.getTraceId());
    Assertions.assertThat(receivedValues("traceparent")).isEmpty();
    Assertions.assertThat(receivedValues("X-Trace-ID")).containsExactly(clientSpan.getTraceId());
  }

  @Test
  void fixedClientMarksA5xxAnswerAsAnError() throws Exception {
    status = 503;
    TracingHttpClient.create(testing.getOpenTelemetry(), HttpClient.newHttpClient())
        .send(post(workUrl()));

    SpanData clientSpan =
        testing.getSpans().stream()
            .filter(s -> s.getKind() == SpanKind.CLIENT)
            .findFirst()
            .orElseThrow();
    assertThat(clientSpan)
        .hasStatus(StatusData.error())
        .hasAttributesSatisfyingExactly(
            equalTo(HttpAttributes.HTTP_REQUEST_METHOD, "POST"),
            equalTo(UrlAttributes.URL_FULL, workUrl().toString()),
            equalTo(ServerAttributes.SERVER_ADDRESS, "127.0.0.1"),
            equalTo(ServerAttributes.SERVER_PORT, (long) worker.port()),
            equalTo(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, 503L),
            equalTo(NetworkAttributes.NETWORK_PROTOCOL_VERSION, "1.1"),
            equalTo(ErrorAttributes.ERROR_TYPE, "503"));
  }

  @Test
  void fixedClientRecordsARefusedConnection() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    URI url = URI.create("http://127.0.0.1:" + closedPort + "/work");
    HttpCall client =
        TracingHttpClient.create(testing.getOpenTelemetry(), HttpClient.newHttpClient());

    Assertions.assertThatThrownBy(() -> client.send(post(url)))
        .isInstanceOf(ConnectException.class);

    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span ->
                        span.hasName("POST")
                            .hasKind(SpanKind.CLIENT)
                            .hasNoParent()
                            .hasStatus(StatusData.error())
                            .hasEventsSatisfyingExactly(event -> event.hasName("exception"))
                            .hasAttributesSatisfyingExactly(
                                equalTo(HttpAttributes.HTTP_REQUEST_METHOD, "POST"),
                                equalTo(UrlAttributes.URL_FULL, url.toString()),
                                equalTo(ServerAttributes.SERVER_ADDRESS, "127.0.0.1"),
                                equalTo(ServerAttributes.SERVER_PORT, (long) closedPort),
                                equalTo(ErrorAttributes.ERROR_TYPE, "java.net.ConnectException"))));
  }
}
