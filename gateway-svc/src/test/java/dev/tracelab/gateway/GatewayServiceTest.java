// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tracelab.flow.Variant;
import io.opentelemetry.api.OpenTelemetry;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The gateway on real HTTP with no worker, or a worker that refuses the order, behind it: a 5xx
 * problem that says the order was not accepted, never a stack trace.
 */
class GatewayServiceTest {

  private static final String ORDER = "{\"sku\":\"ABC-1\",\"quantity\":1}";

  /**
   * A worker that could not get the order acknowledged answers 503 with Retry-After; the client
   * gets a 503 problem saying the order was NOT accepted, with the worker's Retry-After.
   */
  @Test
  void workerRefusalIsA503ProblemWithRetryAfter() throws Exception {
    HttpServer worker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    worker.createContext(
        "/work",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          byte[] body =
              ("{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
                      + "\"detail\":\"order x NOT accepted: Kafka did not acknowledge it within 5000 ms\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
          exchange.getResponseHeaders().add("Retry-After", "3");
          exchange.sendResponseHeaders(503, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    worker.start();
    try (GatewayService gateway =
        GatewayService.start(
            new GatewayConfig(
                "127.0.0.1",
                0,
                URI.create("http://127.0.0.1:" + worker.getAddress().getPort()),
                Variant.FIXED),
            OpenTelemetry.noop())) {
      HttpResponse<String> response = post(gateway);

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json");
      assertThat(response.headers().firstValue("Retry-After")).hasValue("3");
      assertThat(response.body())
          .contains("\"status\":503")
          .contains("NOT accepted")
          .contains("Kafka did not acknowledge it within 5000 ms");
    } finally {
      worker.stop(0);
    }
  }

  private static HttpResponse<String> post(GatewayService gateway) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/orders"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ORDER))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void unreachableWorkerIsA502Problem() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (GatewayService gateway =
        GatewayService.start(
            new GatewayConfig(
                "127.0.0.1", 0, URI.create("http://127.0.0.1:" + closedPort), Variant.FIXED),
            OpenTelemetry.noop())) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + gateway.port() + "/orders"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString("{\"sku\":\"ABC-1\",\"quantity\":1}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json");
      assertThat(response.body())
          .contains("\"status\":502")
          .contains("NOT accepted")
          .contains("worker unreachable")
          .doesNotContain("\tat ");
    }
  }
}
