// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.flow.Variant;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /work} takes JSON only: its Content-Type is parsed (dev.tracelab.http.JsonMediaType),
 * anything but {@code application/json} (UTF-8) is 415 problem+json and nothing is sent to Kafka.
 */
class WorkContentTypeTest {

  private static final String ORDER =
      "{\"orderId\":\"3b0c3f2e-1d7a-4c55-9a8e-0f1f5e2d9c11\",\"sku\":\"ABC-1\",\"quantity\":2,\"fail\":false,\"delayMs\":0}";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final MockProducer<String, String> KAFKA =
      new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
  private static WorkerService worker;

  @BeforeAll
  static void start() {
    worker =
        WorkerService.start(
            new WorkerConfig("127.0.0.1", 0, "127.0.0.1:1", Variant.FIXED),
            OpenTelemetry.noop(),
            KAFKA,
            Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    worker.close();
  }

  private static HttpResponse<String> post(String contentType) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.port() + "/work"))
            .POST(HttpRequest.BodyPublishers.ofString(ORDER));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json", "application/json; charset=utf-8"})
  void jsonIsAccepted(String contentType) throws Exception {
    assertThat(post(contentType).statusCode()).isEqualTo(202);
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/jsonx", "application/json-patch+json", "text/plain", ""})
  void anythingElseIs415(String contentType) throws Exception {
    int sentBefore = KAFKA.history().size();
    HttpResponse<String> answer = post(contentType.isEmpty() ? null : contentType);

    assertThat(answer.statusCode()).isEqualTo(415);
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(answer.body())
        .contains(
            "\"status\":415", "\"title\":\"Unsupported Media Type\"", "\"instance\":\"/work\"")
        .contains(
            "Content-Type must be application/json, was "
                + (contentType.isEmpty() ? "none" : contentType));
    assertThat(KAFKA.history()).hasSize(sentBefore);
  }
}
