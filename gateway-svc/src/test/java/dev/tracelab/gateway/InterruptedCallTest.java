// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.equalTo;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tracelab.broken.XTraceIdHttpClient;
import dev.tracelab.http.HttpCall;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A caller interrupted while the worker has not answered yet: both HTTP client variants must end
 * their CLIENT span (ERROR, exception recorded, {@code error.type}) and leave the thread's
 * interrupt flag set when they rethrow. Both files are copied by learners, so both are checked.
 */
class InterruptedCallTest {

  @RegisterExtension static final OpenTelemetryExtension testing = OpenTelemetryExtension.create();

  private HttpServer worker;
  private final CountDownLatch requestArrived = new CountDownLatch(1);
  private final CountDownLatch releaseWorker = new CountDownLatch(1);

  @BeforeEach
  void startSlowWorker() throws Exception {
    worker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    worker.createContext(
        "/work",
        exchange -> {
          requestArrived.countDown();
          try {
            releaseWorker.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(202, -1);
          exchange.close();
        });
    worker.start();
  }

  @AfterEach
  void stopWorker() {
    releaseWorker.countDown();
    worker.stop(0);
  }

  static Stream<Arguments> clients() {
    BiFunction<OpenTelemetry, HttpClient, HttpCall> fixed = TracingHttpClient::create;
    BiFunction<OpenTelemetry, HttpClient, HttpCall> broken = XTraceIdHttpClient::create;
    return Stream.of(
        Arguments.of("TracingHttpClient", fixed), Arguments.of("XTraceIdHttpClient", broken));
  }

  @ParameterizedTest(
      name = "{0}: interrupted caller -> CLIENT span ended with ERROR, interrupt flag kept")
  @MethodSource("clients")
  void interruptedCallEndsTheSpanAndKeepsTheInterruptFlag(
      String name, BiFunction<OpenTelemetry, HttpClient, HttpCall> factory) throws Exception {
    HttpCall call = factory.apply(testing.getOpenTelemetry(), HttpClient.newHttpClient());
    URI url = URI.create("http://127.0.0.1:" + worker.getAddress().getPort() + "/work");
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();

    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean interruptFlagAfterwards = new AtomicBoolean();
    CountDownLatch callerDone = new CountDownLatch(1);
    Thread caller =
        new Thread(
            () -> {
              try {
                call.send(request);
              } catch (Throwable t) {
                thrown.set(t);
                interruptFlagAfterwards.set(Thread.currentThread().isInterrupted());
              } finally {
                callerDone.countDown();
              }
            },
            "interrupted-caller");
    caller.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> requestArrived.getCount() == 0);

    caller.interrupt();

    await().atMost(Duration.ofSeconds(10)).until(() -> callerDone.getCount() == 0);
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    assertThat(interruptFlagAfterwards.get()).as("interrupt flag after the rethrow").isTrue();
    testing
        .assertTraces()
        .hasTracesSatisfyingExactly(
            trace ->
                trace.hasSpansSatisfyingExactly(
                    span ->
                        span.hasName("POST")
                            .hasKind(SpanKind.CLIENT)
                            .hasNoParent()
                            .hasEnded()
                            .hasStatus(StatusData.error())
                            .hasException(thrown.get())
                            .hasEventsSatisfyingExactly(event -> event.hasName("exception"))
                            .hasAttributesSatisfyingExactly(
                                equalTo(HttpAttributes.HTTP_REQUEST_METHOD, "POST"),
                                equalTo(UrlAttributes.URL_FULL, url.toString()),
                                equalTo(ServerAttributes.SERVER_ADDRESS, "127.0.0.1"),
                                equalTo(ServerAttributes.SERVER_PORT, (long) url.getPort()),
                                equalTo(
                                    ErrorAttributes.ERROR_TYPE,
                                    "java.lang.InterruptedException"))));
  }
}
