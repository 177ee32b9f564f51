// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import static dev.tracelab.testkit.TracelabAssertions.assertThat;
import static dev.tracelab.testkit.TracelabAssertions.byAttribute;
import static dev.tracelab.testkit.TracelabAssertions.byTraceId;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shape assertions: a request is exactly the spans its flow spec lists (shop-spans.yaml), in
 * one trace, or in the traces a lost context or a span link makes of it; the same read over the
 * auditor's API by a {@link TracelabAuditorClient}.
 */
class SpecShapeTest {

  static final Path SPEC = resource("shop-spans.yaml");

  @RegisterExtension
  static final TracelabAuditor auditor =
      TracelabAuditor.builder().setSpec(SPEC).setQuietWindow(Duration.ofMillis(300)).build();

  @Test
  void aHealthyRequestMatchesTheSpecInProcessAndOverTheApi() {
    TwoServices.Spans request;
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      request = services.spans("o-1", false);
    }

    assertThat(auditor)
        .awaiting(Duration.ofSeconds(20))
        .request(byTraceId(request.server().getTraceId()))
        .matchesSpec()
        .hasTracesSatisfying(
            traces ->
                Assertions.assertThat(traces)
                    .singleElement()
                    .satisfies(
                        t ->
                            Assertions.assertThat(t.spans())
                                .allSatisfy(
                                    s ->
                                        Assertions.assertThat(s.attribute("app.order_id"))
                                            .isEqualTo("o-1"))));
    TraceAuditor client =
        TracelabAuditorClient.builder(URI.create(auditor.apiUrl())).setSpec(SPEC).build();
    assertThat(client).request(byAttribute("app.order_id", "o-1")).matchesSpec();
    assertThat(client).hasNoBrokenEdge().hasConnectedTraceCount(1);
  }

  @Test
  void aDroppedContextMatchesTheSpecBrokenAtTheCalleeAndNotTheConnectedShape() {
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      services.spans("o-2", true);
    }

    assertThat(auditor)
        .awaiting(Duration.ofSeconds(20))
        .request(byAttribute("app.order_id", "o-2"))
        .matchesSpecBrokenAt("customer:SERVER");
    assertThatThrownBy(
            () ->
                assertThat(auditor)
                    .awaiting(Duration.ofSeconds(2))
                    .request(byAttribute("app.order_id", "o-2"))
                    .matchesSpec())
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith(
            "Expecting byAttribute(app.order_id=o-2) to be the spec's 4 spans in one trace (waited"
                + " 2 s), but:\n"
                + "  - it is 2 traces, the spec's shape 1\n")
        .hasMessageContaining(
            "it starts at customer SERVER 'GET /customer', where the spec's shape starts no trace"
                + " (it starts them at [frontend:SERVER:GET /dispatch])")
        .hasMessageContaining(
            "frontend CLIENT 'GET' has no child customer:SERVER:GET /customer (the spec's)")
        .hasMessageContaining("The request's 2 traces, as span trees")
        .hasMessageContaining("frontend -> customer (customer-http): 1 call");
    assertThatThrownBy(
            () ->
                assertThat(auditor)
                    .awaiting(Duration.ofSeconds(2))
                    .request(byAttribute("app.order_id", "o-2"))
                    .matchesSpecLinkedAt("customer:SERVER"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(
            "customer SERVER 'GET /customer' links to nothing, not exactly to its spec parent"
                + " frontend CLIENT 'GET'");
  }

  @Test
  void aSpanLinkInsteadOfAParentMatchesTheSpecLinkedAtTheCallee() {
    TwoServices.Spans request;
    try (TwoServices services = TwoServices.overHttp(auditor.otlpHttpEndpoint())) {
      request = services.spans("o-3", false, true);
    }

    assertThat(auditor)
        .awaiting(Duration.ofSeconds(20))
        .request(byTraceId(request.server().getTraceId()))
        .matchesSpecLinkedAt("customer:SERVER");
    assertThatThrownBy(
            () ->
                assertThat(auditor)
                    .awaiting(Duration.ofSeconds(2))
                    .request(byTraceId(request.server().getTraceId()))
                    .matchesSpecBrokenAt("customer:SERVER"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(
            "customer SERVER 'GET /customer' links to [span "
                + request.call().getSpanId()
                + " in trace "
                + request.call().getTraceId()
                + "], where the spec's shape has none")
        .hasMessageContaining("(link to span " + request.call().getSpanId());
  }

  @Test
  void spansThatArriveAfterTheirTraceWasJudgedEndTheWaitAtOnceNamingThem() {
    TwoServices.Spans request;
    try (TwoServices services = TwoServices.withCustomerHeldBack(auditor.otlpHttpEndpoint())) {
      request = services.spans("o-4", false);
      String traceId = request.server().getTraceId();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> auditor.trace(traceId).map(AuditedTrace::closed).orElse(false));
    } // the customer exports now, after the frontend's spans were judged alone
    String traceId = request.server().getTraceId();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> auditor.trace(traceId).orElseThrow().lateSpans().size() == 2);

    long start = System.nanoTime();
    for (Runnable assertion :
        List.<Runnable>of(
            () -> assertThat(auditor).request(byTraceId(traceId)).isOneConnectedTrace(),
            () -> assertThat(auditor).request(byTraceId(traceId)).matchesSpec())) {
      assertThatThrownBy(assertion::run)
          .isInstanceOf(AssertionError.class)
          .hasMessageStartingWith("Expecting byTraceId(" + traceId + ") to be ")
          .hasMessageContaining(
              "(no need to wait longer), but:\n  trace "
                  + traceId
                  + ": 2 spans arrived after the auditor judged it (customer ")
          .hasMessageContaining(
              "): it was judged without them, and no later poll changes that. Raise the auditor's"
                  + " quiet window, or lower the services' OTEL_BSP_SCHEDULE_DELAY\n")
          .hasMessageContaining("late (arrived after the trace was judged");
    }
    Assertions.assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("no wait for the 30 s timeout")
        .isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void namesThatAreNoSpanOfTheSpecAreRefusedAtOnce() {
    assertThatThrownBy(
            () ->
                assertThat(auditor)
                    .request(byTraceId("0af7651916cd43dd8448eb211c80319c"))
                    .matchesSpecBrokenAt("billing:SERVER"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'billing:SERVER' names no span of the spec 'shop-spans'; its spans: [frontend:SERVER:GET"
                + " /dispatch, frontend:CLIENT:GET, customer:SERVER:GET /customer,"
                + " customer:CLIENT:SELECT shop.customers]");
    assertThatThrownBy(
            () ->
                assertThat(auditor)
                    .request(byTraceId("0af7651916cd43dd8448eb211c80319c"))
                    .matchesSpecBrokenAt("frontend:SERVER"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'frontend:SERVER' is the spec's first span: a request always starts a trace there");
    TracelabAuditor entryOnly = TracelabAuditor.entry("frontend:SERVER");
    assertThatThrownBy(
            () ->
                assertThat(entryOnly)
                    .request(byTraceId("0af7651916cd43dd8448eb211c80319c"))
                    .matchesSpec())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lists no spans");
  }

  private static Path resource(String name) {
    try {
      return Path.of(SpecShapeTest.class.getResource("/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
