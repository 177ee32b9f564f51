// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import dev.tracelab.testkit.AuditedSpan;
import dev.tracelab.testkit.AuditedTrace;
import dev.tracelab.testkit.TraceAuditor;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The end-to-end suite against the embedded environment: real Kafka, HTTP and OTLP. */
class EmbeddedLabTest {

  private final EmbeddedLab lab = EmbeddedLab.get();
  private final LabScenarios scenarios = new LabScenarios(lab);

  @BeforeEach
  void fixedByDefault() {
    lab.use(Scenario.FIXED);
  }

  @Test
  void fixedRequestIsOneTraceOfSixSpansWithTheFlowsParentChain() {
    Orders.Accepted accepted = scenarios.orders().place(Map.of("sku", "ABC-1", "quantity", 2));

    scenarios
        .assertConnected(accepted)
        .hasTracesSatisfying(
            traces -> {
              AuditedSpan server = traces.get(0).roots().get(0);
              // sampled + random-trace-id: docs/w3c-trace-context.md
              assertThat(accepted.traceResponse())
                  .isEqualTo("00-" + accepted.traceId() + "-" + server.spanId() + "-03");
            });
  }

  @Test
  void callerTraceparentIsContinued() {
    String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String callerSpan = "00f067aa0ba902b7";
    Orders.Accepted accepted =
        scenarios
            .orders()
            .place(
                Map.of("sku", "ABC-1", "quantity", 1),
                "00-" + callerTrace + "-" + callerSpan + "-01");

    assertThat(accepted.traceId()).isEqualTo(callerTrace);
    scenarios
        .request(accepted)
        .continuing(callerSpan)
        .matchesSpec()
        .hasTracesSatisfying(LabScenarios.taggedWith(accepted.orderId()));
  }

  @ParameterizedTest
  @EnumSource(Scenario.class)
  void eachScenarioYieldsExactlyItsFragments(Scenario scenario) {
    scenarios.assertScenarioFragments(scenario);
  }

  @Test
  void fiftyConcurrentRequestsAreFiftyTracesWithoutCrossTalk() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(50);
    List<Future<Orders.Accepted>> futures = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      int n = i;
      futures.add(
          pool.submit(
              () -> scenarios.orders().place(Map.of("sku", "SKU-" + n, "quantity", n + 1))));
    }
    List<Orders.Accepted> accepted = new ArrayList<>();
    for (Future<Orders.Accepted> f : futures) {
      accepted.add(f.get());
    }
    pool.shutdown();

    Set<String> traceIds = new HashSet<>();
    for (Orders.Accepted a : accepted) {
      scenarios.assertConnected(a);
      traceIds.add(a.traceId());
    }
    assertThat(traceIds).hasSize(50);
  }

  @Test
  void failedOrderMarksTheConsumerSpanErrorInTheSameConnectedTrace() {
    Orders.Accepted accepted =
        scenarios.orders().place(Map.of("sku", "ABC-1", "quantity", 1, "fail", true));

    scenarios.assertConnected(accepted).hasTracesSatisfying(onlyTheProcessSpanIsAnError());
  }

  /** The status of each span of a failed order: ERROR for the consumer's process span alone. */
  static Consumer<List<AuditedTrace>> onlyTheProcessSpanIsAnError() {
    return traces ->
        assertThat(traces.get(0).spans())
            .allSatisfy(
                span ->
                    assertThat(span.error())
                        .as("status ERROR of %s", span)
                        .isEqualTo(span.name().equals(Flow.PROCESS)));
  }

  static Stream<Arguments> badRequests() {
    String big = "{\"sku\":\"" + "A".repeat(20_000) + "\",\"quantity\":1}";
    return Stream.of(
        Arguments.of(
            "malformed JSON", "application/json", "{\"sku\": \"ABC-1\", ", "not valid JSON"),
        Arguments.of("not an object", "application/json", "[1,2]", "JSON object"),
        Arguments.of("missing sku", "application/json", "{\"quantity\": 1}", "sku"),
        Arguments.of("missing quantity", "application/json", "{\"sku\": \"ABC-1\"}", "quantity"),
        Arguments.of(
            "quantity 0", "application/json", "{\"sku\": \"ABC-1\", \"quantity\": 0}", "quantity"),
        Arguments.of(
            "quantity 1001",
            "application/json",
            "{\"sku\": \"ABC-1\", \"quantity\": 1001}",
            "quantity"),
        Arguments.of(
            "quantity as string",
            "application/json",
            "{\"sku\": \"ABC-1\", \"quantity\": \"2\"}",
            "quantity"),
        Arguments.of(
            "sku with space", "application/json", "{\"sku\": \"ABC 1\", \"quantity\": 1}", "sku"),
        Arguments.of(
            "sku too long",
            "application/json",
            "{\"sku\": \"" + "A".repeat(65) + "\", \"quantity\": 1}",
            "sku"),
        Arguments.of(
            "fail not boolean",
            "application/json",
            "{\"sku\": \"A\", \"quantity\": 1, \"fail\": \"yes\"}",
            "fail"),
        Arguments.of(
            "delayMs too big",
            "application/json",
            "{\"sku\": \"A\", \"quantity\": 1, \"delayMs\": 60001}",
            "delayMs"),
        Arguments.of(
            "wrong content type",
            "text/plain",
            "{\"sku\": \"ABC-1\", \"quantity\": 1}",
            "Content-Type"),
        Arguments.of("oversized body", "application/json", big, "too large"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badInputIsA400ProblemAndLeaksNoSpan(
      String label, String contentType, String body, String detail) {
    assertBadInput(scenarios, label, contentType, body, detail);
  }

  /**
   * A bad order at the gateway: 400 problem+json naming what is wrong (415 for a body that is not
   * JSON by its content type), one gateway span, nothing downstream.
   */
  static void assertBadInput(
      LabScenarios scenarios, String label, String contentType, String body, String detail) {
    boolean json = contentType.startsWith("application/json");
    int status = json ? 400 : 415;
    String traceId =
        java.util.UUID.randomUUID().toString().replace("-", ""); // fresh per run and implementation
    Response response =
        given()
            .baseUri(scenarios.lab().gatewayUrl().toString())
            .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
            .contentType(contentType)
            .body(body)
            .post("/orders");

    response
        .then()
        .statusCode(status)
        .contentType(startsWith("application/problem+json"))
        .body("status", equalTo(status))
        .body("title", equalTo(json ? "Bad Request" : "Unsupported Media Type"))
        .body("detail", containsString(detail));
    assertThat(response.asString())
        .doesNotContain("Exception")
        .doesNotContain("\tat ")
        .doesNotContain("goroutine");

    // the rejected request is one gateway SERVER span (400), nothing downstream: a valid order
    // placed after it is the barrier (once its spans are all in, the rejected request's would be
    // too)
    TraceAuditor auditor = scenarios.kit();
    await().atMost(LabScenarios.TRACE_TIMEOUT).until(() -> auditor.trace(traceId).isPresent());
    scenarios.assertConnected(scenarios.orders().place(Map.of("sku", "ABC-1", "quantity", 1)));
    AuditedTrace trace = auditor.trace(traceId).orElseThrow();
    assertThat(trace.spans())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.parentSpanId()).as("the caller's span").isEqualTo("00f067aa0ba902b7");
              assertThat(s.name()).isEqualTo(Flow.GATEWAY_SERVER);
              assertThat(s.attributes())
                  .containsEntry("http.response.status_code", String.valueOf(status));
            });
    given().baseUri(scenarios.lab().gatewayUrl().toString()).get("/health").then().statusCode(200);
  }

  @Test
  void healthMakesNoSpan() {
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    given()
        .baseUri(lab.gatewayUrl().toString())
        .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
        .get("/health")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"));
    // a request after it proves spans are flowing; the health trace id must never appear
    scenarios.assertConnected(scenarios.orders().place(Map.of("sku", "ABC-1", "quantity", 1)));
    assertThat(scenarios.kit().trace(traceId)).isEmpty();
  }

  @Test
  void unknownRouteIsA404Problem() {
    given()
        .baseUri(lab.gatewayUrl().toString())
        .get("/nope")
        .then()
        .statusCode(404)
        .contentType(startsWith("application/problem+json"));
  }
}
