// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.service.ServiceImplementation;
import dev.tracelab.experiments.OrderClient;
import dev.tracelab.flow.Flow;
import dev.tracelab.order.OrderJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault injection ./lab chaos relies on does what it says, and a worker kill loses nothing: a
 * worker killed mid-load is gone and orders are refused while it is; the restarted one is a new
 * process on the same port; every order answered 202 before, during and after is in the consumer's
 * ledger; a stopped broker makes the worker unready (but alive) and the restarted one takes orders
 * again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosPlumbingTest {

  private static final String ORDER = "{\"sku\":\"CHAOS-1\",\"quantity\":1}";
  private static final String SLOW_ORDER = "{\"sku\":\"CHAOS-1\",\"quantity\":1,\"delayMs\":500}";
  private static final Pattern NOT_ACCEPTED = Pattern.compile("order ([0-9a-f-]{36}) NOT accepted");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static LabEnvironment lab;
  private static final Set<String> accepted = new HashSet<>();

  @BeforeAll
  static void start() {
    lab =
        LabEnvironment.builder()
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

  /**
   * A worker killed with {@code kill -9} under load, while requests are in flight (each order waits
   * 500 ms in the deferred work, so about ten are inside the worker at any time): every order
   * answered 202 is in the ledger, none is lost; the requests the kill cut are answered 5xx, not
   * accepted (such an order may still be processed: its send was acknowledged, but its 202 never
   * left the worker).
   */
  @Test
  @Order(1)
  void killedWorkerIsGoneAndARestartedOneServesOnTheSamePort() throws Exception {
    OrderClient client = OrderClient.create(lab.gatewayUrl());
    int port = lab.service(Flow.WORKER).port();
    Set<String> notAccepted = ConcurrentHashMap.newKeySet();
    Set<String> acceptedHere = ConcurrentHashMap.newKeySet();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    ExecutorService senders = Executors.newCachedThreadPool();
    long killed;
    try {
      ticker.scheduleAtFixedRate(
          () -> senders.execute(() -> placeSlow(acceptedHere, notAccepted)),
          0,
          50,
          TimeUnit.MILLISECONDS);
      await().atMost(Duration.ofSeconds(30)).until(() -> acceptedHere.size() >= 10);

      killed = lab.killService(Flow.WORKER);

      assertThat(ProcessHandle.of(killed).map(ProcessHandle::isAlive))
          .isIn(java.util.Optional.empty(), java.util.Optional.of(false));
      assertThat(client.place(ORDER)).as("an order while the worker is dead").isNull();
      int acceptedBeforeRestart = acceptedHere.size();

      long restarted = lab.restartService(Flow.WORKER).pid().orElseThrow();

      assertThat(restarted).isNotEqualTo(killed);
      assertThat(ProcessHandle.of(restarted).orElseThrow().isAlive()).isTrue();
      assertThat(lab.service(Flow.WORKER).port()).isEqualTo(port);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> acceptedHere.size() >= acceptedBeforeRestart + 10);
    } finally {
      ticker.shutdownNow();
      senders.shutdown();
      assertThat(senders.awaitTermination(60, TimeUnit.SECONDS))
          .as("the load's last requests answered")
          .isTrue();
    }
    assertThat(notAccepted)
        .as("requests in flight when the worker was killed, answered 5xx")
        .isNotEmpty();
    accepted.addAll(acceptedHere);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(processed())
                    .as("every order answered 202 is processed: none lost")
                    .containsAll(accepted));
    Set<String> processedNotPlaced = new HashSet<>(processed());
    processedNotPlaced.removeAll(accepted);
    processedNotPlaced.removeAll(notAccepted);
    assertThat(processedNotPlaced).as("processed orders this test did not place").isEmpty();
  }

  /** Places one order that waits 500 ms in the worker; notes its id as accepted or not. */
  private static void placeSlow(Set<String> acceptedHere, Set<String> notAccepted) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(lab.gatewayUrl().resolve("/orders"))
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(SLOW_ORDER))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode json = OrderJson.mapper().readTree(response.body());
      if (response.statusCode() == 202) {
        acceptedHere.add(json.get("orderId").asText());
      } else {
        Matcher m = NOT_ACCEPTED.matcher(json.path("detail").asText());
        if (m.find()) {
          notAccepted.add(m.group(1));
        }
      }
    } catch (IOException e) {
      // the gateway did not answer: nothing was accepted
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  @Order(2)
  void stoppedBrokerMakesTheWorkerUnreadyNotDead() throws Exception {
    URI worker = lab.service(Flow.WORKER).url();
    assertThat(status(worker.resolve("/health/ready"))).isEqualTo(200);

    lab.stopKafka();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> status(worker.resolve("/health/ready")) == 503);
    assertThat(status(worker.resolve("/health"))).isEqualTo(200);
    assertThat(status(lab.service(Flow.CONSUMER).url().resolve("/health/ready"))).isEqualTo(503);

    lab.startKafka();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> status(worker.resolve("/health/ready")) == 200);
    int before = accepted.size();
    place(OrderClient.create(lab.gatewayUrl()), 5);
    assertThat(accepted).hasSize(before + 5);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(processed()).containsAll(accepted));
  }

  private static void place(OrderClient client, int n) {
    for (int i = 0; i < n; i++) {
      OrderClient.Accepted a = client.place(ORDER);
      assertThat(a).as("order %d answered 202", i).isNotNull();
      accepted.add(a.orderId());
    }
  }

  private static Set<String> processed() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(lab.service(Flow.CONSUMER).url().resolve("/ledger"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode json = OrderJson.mapper().readTree(response.body());
    Set<String> ids = new HashSet<>();
    json.path("processed").forEach(n -> ids.add(n.asText()));
    return ids;
  }

  private static int status(URI url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(3)).GET().build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
