package dev.tracelab.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.flow.Variant;
import io.opentelemetry.api.OpenTelemetry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The gateway on real HTTP with no worker behind it: a 502 problem, never a stack trace. */
class GatewayServiceTest {

  @Test
  void unreachableWorkerIsA502Problem() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (GatewayService gateway =
        GatewayService.start(
            new GatewayConfig("127.0.0.1", 0, URI.create("http://127.0.0.1:" + closedPort), Variant.FIXED),
            OpenTelemetry.noop())) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/orders"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"ABC-1\",\"quantity\":1}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(response.body())
          .contains("\"status\":502")
          .contains("worker unreachable")
          .doesNotContain("\tat ");
    }
  }
}
