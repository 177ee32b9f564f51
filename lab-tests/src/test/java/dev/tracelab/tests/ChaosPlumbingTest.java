package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.service.ServiceImplementation;
import dev.tracelab.experiments.OrderClient;
import dev.tracelab.flow.Flow;
import dev.tracelab.order.OrderJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault injection ./lab chaos relies on does what it says: a killed worker's process is gone
 * and orders are refused while it is; the restarted one is a new process on the same port; every
 * order accepted before and after is in the consumer's ledger, exactly; a stopped broker makes the
 * worker unready (but alive) and the restarted one takes orders again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosPlumbingTest {

  private static final String ORDER = "{\"sku\":\"CHAOS-1\",\"quantity\":1}";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static LabEnvironment lab;
  private static final Set<String> accepted = new HashSet<>();

  @BeforeAll
  static void start() {
    lab = LabEnvironment.builder()
        .quietWindow(EmbeddedLab.QUIET_WINDOW)
        .implementation(Flow.WORKER, ServiceImplementation.javaProcess())
        .start();
  }

  @AfterAll
  static void stop() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  @Order(1)
  void killedWorkerIsGoneAndARestartedOneServesOnTheSamePort() throws Exception {
    OrderClient client = OrderClient.create(lab.gatewayUrl());
    place(client, 10);
    int port = lab.service(Flow.WORKER).port();
    // plumbing, not the in-flight window: the worker answers 202 before Kafka acknowledges, so a
    // kill -9 right after the answers can lose what it still held (docs/reliability.md, Delivery)
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(processed()).isEqualTo(accepted));

    long killed = lab.killService(Flow.WORKER);

    assertThat(ProcessHandle.of(killed).map(ProcessHandle::isAlive)).isIn(java.util.Optional.empty(), java.util.Optional.of(false));
    assertThat(client.place(ORDER)).as("an order while the worker is dead").isNull();

    long restarted = lab.restartService(Flow.WORKER).pid().orElseThrow();

    assertThat(restarted).isNotEqualTo(killed);
    assertThat(ProcessHandle.of(restarted).orElseThrow().isAlive()).isTrue();
    assertThat(lab.service(Flow.WORKER).port()).isEqualTo(port);
    place(client, 10);
    assertThat(accepted).hasSize(20);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(processed()).isEqualTo(accepted));
  }

  @Test
  @Order(2)
  void stoppedBrokerMakesTheWorkerUnreadyNotDead() throws Exception {
    URI worker = lab.service(Flow.WORKER).url();
    assertThat(status(worker.resolve("/health/ready"))).isEqualTo(200);

    lab.stopKafka();

    await().atMost(Duration.ofSeconds(10)).until(() -> status(worker.resolve("/health/ready")) == 503);
    assertThat(status(worker.resolve("/health"))).isEqualTo(200);
    assertThat(status(lab.service(Flow.CONSUMER).url().resolve("/health/ready"))).isEqualTo(503);

    lab.startKafka();

    await().atMost(Duration.ofSeconds(30)).until(() -> status(worker.resolve("/health/ready")) == 200);
    place(OrderClient.create(lab.gatewayUrl()), 5);
    assertThat(accepted).hasSize(25);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(processed()).isEqualTo(accepted));
  }

  private static void place(OrderClient client, int n) {
    for (int i = 0; i < n; i++) {
      OrderClient.Accepted a = client.place(ORDER);
      assertThat(a).as("order %d answered 202", i).isNotNull();
      accepted.add(a.orderId());
    }
  }

  private static Set<String> processed() throws Exception {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(lab.service(Flow.CONSUMER).url().resolve("/ledger")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode json = OrderJson.mapper().readTree(response.body());
    Set<String> ids = new HashSet<>();
    json.path("processed").forEach(n -> ids.add(n.asText()));
    return ids;
  }

  private static int status(URI url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(3)).GET().build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
