// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.http;

import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.equalTo;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.satisfies;
import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.semconv.ClientAttributes;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.NetworkAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import io.opentelemetry.semconv.UserAgentAttributes;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SERVER span's semantic-convention attributes (stable HTTP semconv), success and failure. */
class ServerTracingSpanTest {

  @RegisterExtension static final OpenTelemetryExtension testing = OpenTelemetryExtension.create();

  private Javalin app;

  @BeforeEach
  void start() {
    ServerTracing tracing = ServerTracing.create(testing.getOpenTelemetry());
    app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
    app.post("/work", tracing.wrap("/work", ctx -> ctx.status(202)));
    app.post("/boom", tracing.wrap("/boom", ctx -> ctx.status(503)));
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  @Test
  void serverSpanAttributesWithQueryAndNoUserAgent() throws IOException {
    RawHttp.send(app.port(), "POST", "/work?mode=fast", List.of());

    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span ->
                        span.hasName("POST /work")
                            .hasKind(SpanKind.SERVER)
                            .hasNoParent()
                            .hasStatus(StatusData.unset())
                            .hasAttributesSatisfyingExactly(
                                equalTo(HttpAttributes.HTTP_REQUEST_METHOD, "POST"),
                                equalTo(HttpAttributes.HTTP_ROUTE, "/work"),
                                equalTo(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, 202L),
                                equalTo(UrlAttributes.URL_PATH, "/work"),
                                equalTo(UrlAttributes.URL_QUERY, "mode=fast"),
                                equalTo(UrlAttributes.URL_SCHEME, "http"),
                                equalTo(ServerAttributes.SERVER_ADDRESS, "127.0.0.1"),
                                equalTo(ServerAttributes.SERVER_PORT, (long) app.port()),
                                equalTo(ClientAttributes.CLIENT_ADDRESS, "127.0.0.1"),
                                equalTo(NetworkAttributes.NETWORK_PEER_ADDRESS, "127.0.0.1"),
                                satisfies(
                                    NetworkAttributes.NETWORK_PEER_PORT, port -> port.isPositive()),
                                equalTo(NetworkAttributes.NETWORK_PROTOCOL_VERSION, "1.1"))));
    // no User-Agent header: no user_agent.original (it used to be the string "null")
    assertThat(
            testing.getSpans().get(0).getAttributes().get(UserAgentAttributes.USER_AGENT_ORIGINAL))
        .isNull();
  }

  @Test
  void serverErrorIsAnErrorSpanWithErrorType() throws IOException {
    RawHttp.send(app.port(), "POST", "/boom", List.of("User-Agent: lab-test/1"));

    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span ->
                        span.hasName("POST /boom")
                            .hasStatus(StatusData.error())
                            .hasAttributesSatisfyingExactly(
                                equalTo(HttpAttributes.HTTP_REQUEST_METHOD, "POST"),
                                equalTo(HttpAttributes.HTTP_ROUTE, "/boom"),
                                equalTo(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, 503L),
                                equalTo(ErrorAttributes.ERROR_TYPE, "503"),
                                equalTo(UrlAttributes.URL_PATH, "/boom"),
                                equalTo(UrlAttributes.URL_SCHEME, "http"),
                                equalTo(ServerAttributes.SERVER_ADDRESS, "127.0.0.1"),
                                equalTo(ServerAttributes.SERVER_PORT, (long) app.port()),
                                equalTo(UserAgentAttributes.USER_AGENT_ORIGINAL, "lab-test/1"),
                                equalTo(ClientAttributes.CLIENT_ADDRESS, "127.0.0.1"),
                                equalTo(NetworkAttributes.NETWORK_PEER_ADDRESS, "127.0.0.1"),
                                satisfies(
                                    NetworkAttributes.NETWORK_PEER_PORT, port -> port.isPositive()),
                                equalTo(NetworkAttributes.NETWORK_PROTOCOL_VERSION, "1.1"))));
  }
}
