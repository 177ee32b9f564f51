// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Variant;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The worker answers 202 only once Kafka has acknowledged the order (a worker killed after its 202
 * has nothing left to lose), and 503 problem+json with {@code Retry-After} when the send fails or
 * is not acknowledged in time. The deferred work still runs on the pool (fixed and broken hand-off
 * alike); the request only waits for its outcome. Every span ends on every path.
 */
class AnswerAfterAckTest {

  @RegisterExtension static final OpenTelemetryExtension testing = OpenTelemetryExtension.create();

  private static final String ORDER =
      "{\"orderId\":\"3b0c3f2e-1d7a-4c55-9a8e-0f1f5e2d9c11\",\"sku\":\"ABC-1\",\"quantity\":2,\"fail\":false,\"delayMs\":0}";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final MockProducer<String, String> kafka =
      new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
  private WorkerService worker;

  @AfterEach
  void tearDown() {
    if (worker != null) {
      worker.close();
    }
  }

  private void start(Variant variant, Duration ackTimeout) {
    worker =
        WorkerService.start(
            new WorkerConfig("127.0.0.1", 0, "127.0.0.1:1", variant),
            testing.getOpenTelemetry(),
            kafka,
            ackTimeout);
  }

  private CompletableFuture<HttpResponse<String>> post() {
    return HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.port() + "/work"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(ORDER))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @EnumSource(
      value = Variant.class,
      names = {"FIXED", "BROKEN"})
  void answers202OnlyAfterTheBrokerAcknowledged(Variant variant) throws Exception {
    start(variant, Duration.ofSeconds(30));

    CompletableFuture<HttpResponse<String>> response = post();

    await().atMost(Duration.ofSeconds(10)).until(() -> kafka.history().size() == 1);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !response.isDone());
    assertThat(kafka.completeNext()).isTrue();
    HttpResponse<String> answer = response.get();
    assertThat(answer.statusCode()).isEqualTo(202);
    assertThat(answer.body()).contains("\"accepted\":true");
    await().atMost(Duration.ofSeconds(5)).until(() -> testing.getSpans().size() == 3);
    assertThat(testing.getSpans())
        .extracting(SpanData::getName)
        .containsExactlyInAnyOrder("POST /work", Flow.DEFERRED_WORK, Flow.PRODUCE);
  }

  @Test
  void aFailedSendIsA503WithRetryAfterNotA202() throws Exception {
    start(Variant.FIXED, Duration.ofSeconds(30));

    CompletableFuture<HttpResponse<String>> response = post();
    await().atMost(Duration.ofSeconds(10)).until(() -> kafka.history().size() == 1);
    assertThat(kafka.errorNext(new TimeoutException("Expiring 1 record(s) for orders-0"))).isTrue();

    HttpResponse<String> answer = response.get();
    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(answer.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(answer.body()).contains("NOT accepted");
    await().atMost(Duration.ofSeconds(5)).until(() -> testing.getSpans().size() == 3);
    assertThat(span("POST /work").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span(Flow.PRODUCE).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span(Flow.PRODUCE).getParentSpanId())
        .isEqualTo(span(Flow.DEFERRED_WORK).getSpanId());
    assertThat(span(Flow.DEFERRED_WORK).getParentSpanId())
        .isEqualTo(span("POST /work").getSpanId());
  }

  @Test
  void anUnacknowledgedSendIsA503AfterTheBound() throws Exception {
    start(Variant.FIXED, Duration.ofSeconds(2));

    HttpResponse<String> answer = post().get();

    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(answer.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(answer.body()).contains("NOT accepted");
    assertThat(kafka.history()).hasSize(1);
    // the send span ends when the producer finally gives up
    assertThat(kafka.errorNext(new TimeoutException("Expiring 1 record(s) for orders-0"))).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> testing.getSpans().size() == 3);
    assertThat(span("POST /work").getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(span("POST /work").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  private static SpanData span(String name) {
    List<SpanData> spans =
        testing.getSpans().stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(spans).as(name).hasSize(1);
    return spans.get(0);
  }
}
