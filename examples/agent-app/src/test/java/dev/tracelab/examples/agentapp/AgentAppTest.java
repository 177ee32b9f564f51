// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.examples.agentapp;

import static dev.tracelab.testkit.TracelabAssertions.assertThat;
import static dev.tracelab.testkit.TracelabAssertions.byAttribute;

import dev.tracelab.testkit.TracelabAuditor;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The copy-paste starting point: two services with no OpenTelemetry code, each in its own JVM under
 * the OpenTelemetry Java agent, exporting over OTLP to the kit's auditor. Healthy, one request is
 * one connected trace of three spans; with one hop misconfigured (the callee reads only B3 headers,
 * the caller sends W3C traceparent) the kit names the broken edge.
 */
class AgentAppTest {

  /** X-Request-Id, captured by the agent on every span, finds a request's traces. */
  static final String REQUEST_ID = "http.request.header.x-request-id";

  @RegisterExtension
  static final TracelabAuditor auditor =
      TracelabAuditor.builder()
          .setEntryPoints("frontend:SERVER")
          .setCorrelation(REQUEST_ID)
          .build();

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void oneRequestIsOneConnectedTraceOfThreeSpans() throws Exception {
    try (AgentService customer = AgentService.start(Customer.class, "customer", auditor, Map.of());
        AgentService frontend =
            AgentService.start(
                Frontend.class,
                "frontend",
                auditor,
                Map.of("CUSTOMER_URL", customer.url().toString()))) {
      String requestId = dispatch(frontend);

      assertThat(auditor)
          .awaiting(Duration.ofSeconds(30))
          .request(byAttribute(REQUEST_ID, requestId))
          .isOneConnectedTrace()
          .hasSpanCount(3)
          .hasPath("frontend:SERVER", "frontend:CLIENT", "customer:SERVER");
      assertThat(auditor).hasNoOrphans("customer").hasNoBrokenEdge();
    }
  }

  @Test
  void aCalleeReadingOnlyB3IsTheBrokenEdgeFrontendToCustomer() throws Exception {
    try (AgentService customer =
            AgentService.start(
                Customer.class, "customer", auditor, Map.of("OTEL_PROPAGATORS", "b3"));
        AgentService frontend =
            AgentService.start(
                Frontend.class,
                "frontend",
                auditor,
                Map.of("CUSTOMER_URL", customer.url().toString()))) {
      String requestId = dispatch(frontend);

      assertThat(auditor)
          .awaiting(Duration.ofSeconds(30))
          .request(byAttribute(REQUEST_ID, requestId))
          .hasTraceCount(2)
          .hasSpanCount(3);
      assertThat(auditor).hasBrokenEdge("frontend", "customer", 1).hasNoOrphans("frontend");
    }
  }

  /** {@code GET /dispatch?id=7} with a fresh X-Request-Id; returns the id. */
  private String dispatch(AgentService frontend) throws Exception {
    String requestId = UUID.randomUUID().toString();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(frontend.url().resolve("/dispatch?id=7"))
                .header("X-Request-Id", requestId)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    org.assertj.core.api.Assertions.assertThat(response.statusCode()).isEqualTo(200);
    org.assertj.core.api.Assertions.assertThat(response.body())
        .isEqualTo("{\"id\": \"7\", \"name\": \"customer 7\"}");
    return requestId;
  }
}
