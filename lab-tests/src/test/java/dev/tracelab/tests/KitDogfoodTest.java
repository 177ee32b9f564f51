// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static dev.tracelab.testkit.TracelabAssertions.assertThat;
import static dev.tracelab.testkit.TracelabAssertions.byAttribute;
import static dev.tracelab.testkit.TracelabAssertions.byTraceId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelab.env.LabEnvironment;
import dev.tracelab.experiments.OrderClient;
import dev.tracelab.flow.Scenario;
import dev.tracelab.testkit.TracelabAuditor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lab dogfoods the test kit it ships (docs/testkit.md): its services export to the kit's
 * in-process auditor, as a team's services would, and the kit's public assertions judge them — one
 * connected trace of six spans per request when fixed, the named broken edge when the gateway does
 * not inject.
 */
class KitDogfoodTest {

  private static final int REQUESTS = 10;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension
  static final TracelabAuditor auditor =
      TracelabAuditor.builder()
          .setEntryPoints("gateway-svc:SERVER")
          .setCorrelation("app.order_id")
          .setQuietWindow(Duration.ofSeconds(2))
          .build();

  private static LabEnvironment env;

  @BeforeAll
  static void start() {
    env = LabEnvironment.builder().otlpEndpoint(auditor.otlpHttpEndpoint()).start();
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  private static List<OrderClient.Accepted> place(Scenario scenario) {
    if (!env.runs(scenario)) {
      env.switchTo(scenario);
    }
    OrderClient client = OrderClient.create(env.gatewayUrl());
    List<OrderClient.Accepted> accepted = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      accepted.add(client.place("{\"sku\":\"KIT-" + i + "\",\"quantity\":1}"));
    }
    return accepted;
  }

  @Test
  void fixedEachRequestIsOneConnectedTraceOfTheFlowsSixSpans() {
    for (OrderClient.Accepted order : place(Scenario.FIXED)) {
      assertThat(auditor)
          .awaiting(WAIT)
          .request(byAttribute("app.order_id", order.orderId()))
          .isOneConnectedTrace()
          .hasSpanCount(6)
          .hasPath(
              "gateway-svc:SERVER",
              "gateway-svc:CLIENT",
              "worker-svc:SERVER",
              "worker-svc:INTERNAL",
              "worker-svc:PRODUCER",
              "consumer-svc:CONSUMER");
      assertThat(auditor).request(byTraceId(order.traceId())).isOneConnectedTrace();
    }
    assertThat(auditor)
        .awaiting(WAIT)
        .hasNoBrokenEdge()
        .orphanRateAtMost(0.0)
        .hasConnectedTraceCount(REQUESTS);
  }

  @Test
  void brokenHttpTheKitNamesTheEdgeAndTheCalleeCarriesTheOrphans() {
    List<OrderClient.Accepted> orders = place(Scenario.BROKEN_HTTP);
    assertThat(orders).hasSize(REQUESTS);

    assertThat(auditor)
        .awaiting(WAIT)
        .hasBrokenEdge("gateway-svc", "worker-svc", REQUESTS)
        .hasNoOrphans("gateway-svc")
        .hasTraceCount(2L * REQUESTS);
    assertThat(auditor.report().services().get("worker-svc").orphanRate()).isEqualTo(1.0 / 3);
    assertThat(auditor)
        .awaiting(WAIT)
        .request(byAttribute("app.order_id", orders.get(0).orderId()))
        .hasTraceCount(2);
  }
}
