// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Places orders at the gateway over real HTTP. */
final class Orders {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final URI gateway;

  Orders(URI gateway) {
    this.gateway = gateway;
  }

  /** What a 202 carries: the body's ids and the traceresponse header. */
  record Accepted(String orderId, String traceId, String traceResponse) {}

  Accepted place(Map<String, Object> order) {
    return place(order, null);
  }

  /** POSTs the order (optionally with a caller {@code traceparent}) and expects 202. */
  Accepted place(Map<String, Object> order, String traceparent) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(gateway.resolve("/orders"))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(order)));
      if (traceparent != null) {
        request.header("traceparent", traceparent);
      }
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("status, body %s", response.body()).isEqualTo(202);
      JsonNode body = JSON.readTree(response.body());
      return new Accepted(
          body.get("orderId").asText(),
          body.get("traceId").asText(),
          response.headers().firstValue("traceresponse").orElse(null));
    } catch (IOException e) {
      throw new IllegalStateException("gateway unreachable at " + gateway, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
