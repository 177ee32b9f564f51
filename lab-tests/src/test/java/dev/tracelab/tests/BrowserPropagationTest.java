// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.tests;

import static dev.tracelab.testkit.TracelabAssertions.assertThat;
import static dev.tracelab.testkit.TracelabAssertions.byAttribute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.browser.BrowserPage;
import dev.tracelab.env.browser.Chromium;
import dev.tracelab.env.frontend.FrontendServer;
import dev.tracelab.env.frontend.FrontendVariant;
import dev.tracelab.env.frontend.ReceivedRequest;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import dev.tracelab.testkit.AuditedSpan;
import dev.tracelab.testkit.RequestAssert;
import dev.tracelab.testkit.TraceAuditor;
import dev.tracelab.testkit.TracelabAuditorClient;
import io.opentelemetry.api.trace.SpanKind;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The page in a real Chromium (Debian's, through its executable path): the order's trace starts in
 * the browser, the trace context goes to the page's own origin and to the allowlisted API origin,
 * never to the third party; and each of the two defects of broken-variants/frontend shows its
 * symptom: the leak at the third party's endpoint, the missing entry as a cors orphan.
 */
class BrowserPropagationTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String TRACE_HEADERS = "content-type,traceparent";

  private final EmbeddedLab lab = EmbeddedLab.get();
  private Path chromiumPath;
  private Chromium chromium;
  private FrontendServer frontend;

  @BeforeEach
  void freshBrowser() {
    chromiumPath = Browsers.assumeChromium();
    lab.use(Scenario.FIXED);
  }

  @AfterEach
  void closeBrowser() {
    if (chromium != null) {
      chromium.close();
    }
    if (frontend != null) {
      // the shared lab's next tests place orders without the page: the gateway is their entry point
      lab.env().auditor().startRun(lab.env().runSetup("after-browser-tests"));
    }
  }

  /**
   * Serves {@code variant}, starts a run of it, opens the page in a fresh Chromium (empty caches).
   */
  private BrowserPage open(FrontendVariant variant) {
    LabEnvironment env = lab.env();
    frontend = env.serveFrontend(variant);
    frontend.clearReceived();
    env.auditor().startRun(env.browserRunSetup("browser-" + variant.id()));
    chromium = Chromium.launch(chromiumPath);
    BrowserPage page = chromium.newPage(1000, 700);
    page.open(frontend.pageUrl(), WAIT);
    page.waitFor("document.body.dataset.ready === 'true'", WAIT);
    return page;
  }

  private static JsonNode placeOrder(BrowserPage page, String via) {
    JsonNode result =
        page.evaluate(
            "window.tracelab.placeOrder('"
                + via
                + "').catch(e => { throw new Error("
                + "'placeOrder failed: ' + (e instanceof Error ? e.stack : JSON.stringify(e, Object.getOwnPropertyNames(e)"
                + " ?? undefined) + ' ' + String(e))); })");
    assertThat(result.path("status").asInt()).as("%s", result).isEqualTo(202);
    return result;
  }

  /**
   * The lab's auditor as the test kit reads it, judging by the current run's flow spec (the lab's,
   * with the page: {@code LabFlowSpecs}).
   */
  private TraceAuditor kit() {
    return TracelabAuditorClient.builder(URI.create(lab.env().auditor().apiUrl()))
        .setSpec(lab.env().auditor().runSetup().spec())
        .build();
  }

  /**
   * The kit's assertions on the order's request, found by {@code app.order_id}: the browser's span
   * carries it as every service's does.
   */
  private RequestAssert order(JsonNode order) {
    return assertThat(kit())
        .awaiting(WAIT)
        .request(byAttribute(LabFlowSpecs.CORRELATION, order.path("orderId").asText()));
  }

  /** The one span with this identity among the order's traces (judged: asserted before). */
  private AuditedSpan only(JsonNode order, String service, SpanKind kind, String name) {
    List<AuditedSpan> found =
        kit().tracesWith(order.path("orderId").asText()).stream()
            .flatMap(t -> t.spans().stream())
            .filter(s -> s.service().equals(service) && s.kind() == kind && s.name().equals(name))
            .toList();
    org.assertj.core.api.Assertions.assertThat(found)
        .as("%s %s %s", service, kind, name)
        .hasSize(1);
    return found.get(0);
  }

  private static String traceparentOf(AuditedSpan span) {
    return "00-" + span.traceId() + "-" + span.spanId() + "-01";
  }

  @Test
  void fixedTheTraceStartsInTheBrowserAndReachesTheConsumerThroughEitherOrigin() {
    BrowserPage page = open(FrontendVariant.FIXED);
    assertThat(lab.env().auditor().runSetup().spec().spanCount()).isEqualTo(7);

    JsonNode viaApi = placeOrder(page, "api");
    JsonNode viaPage = placeOrder(page, "same-origin");

    // each order: one connected trace of the flow's 7 spans, its root the browser's fetch span
    // (the gateway's SERVER span its child), the trace the page was answered
    for (JsonNode order : List.of(viaApi, viaPage)) {
      order(order)
          .matchesSpec()
          .hasTracesSatisfying(
              traces ->
                  assertThat(traces.get(0).traceId()).isEqualTo(order.path("traceId").asText()));
    }
    String apiTrace = viaApi.path("traceId").asText();
    AuditedSpan apiFetch = only(viaApi, Flow.FRONTEND, SpanKind.CLIENT, "POST");
    AuditedSpan pageFetch = only(viaPage, Flow.FRONTEND, SpanKind.CLIENT, "POST");

    // the API origin: a preflight asking for the trace header, then the order carrying it
    List<ReceivedRequest> api = frontend.received(FrontendServer.API);
    assertThat(api).extracting(ReceivedRequest::method).containsExactly("OPTIONS", "POST");
    assertThat(api.get(0).header("access-control-request-headers")).isEqualTo(TRACE_HEADERS);
    assertThat(api.get(1).header("traceparent"))
        .isEqualTo(traceparentOf(apiFetch))
        .contains(apiTrace);
    // the page's own origin: no preflight, the header all the same
    List<ReceivedRequest> own = frontend.received(FrontendServer.PAGE);
    assertThat(own).extracting(ReceivedRequest::method).containsExactly("POST");
    assertThat(own.get(0).header("traceparent")).isEqualTo(traceparentOf(pageFetch));
    // the third party: one simple POST per order, no preflight, and nothing of the trace
    List<ReceivedRequest> analytics = frontend.received(FrontendServer.ANALYTICS);
    assertThat(analytics).extracting(ReceivedRequest::method).containsExactly("POST", "POST");
    assertThat(analytics)
        .allSatisfy(
            r -> {
              assertThat(r.has("traceparent")).as("%s", r).isFalse();
              assertThat(r.has("tracestate")).as("%s", r).isFalse();
              assertThat(r.has("baggage")).as("%s", r).isFalse();
            });

    ScenarioReport report =
        await().atMost(WAIT).until(() -> lab.env().auditor().report(), r -> r.requests() == 2);
    assertThat(report.connectedRequests()).isEqualTo(2);
    assertThat(report.diagnoses()).isEmpty();
  }

  @Test
  void leakTheCatchAllAllowlistSendsTheTraceContextToTheThirdParty() {
    BrowserPage page = open(FrontendVariant.LEAK);

    JsonNode order = placeOrder(page, "api");

    order(order).matchesSpec(); // no orphan shows it
    List<ReceivedRequest> analytics = frontend.received(FrontendServer.ANALYTICS);
    assertThat(analytics).extracting(ReceivedRequest::method).containsExactly("OPTIONS", "POST");
    assertThat(analytics.get(0).header("access-control-request-headers")).isEqualTo("traceparent");
    assertThat(analytics.get(1).header("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    ScenarioReport report =
        await().atMost(WAIT).until(() -> lab.env().auditor().report(), r -> r.requests() == 1);
    assertThat(report.connectedRequests()).isEqualTo(1);
    assertThat(report.diagnoses()).isEmpty();
  }

  @Test
  void missingEntryTheApiGetsNoTraceContextAndTheGatewaySpanIsACorsOrphan() {
    BrowserPage page = open(FrontendVariant.MISSING_ENTRY);

    JsonNode order = placeOrder(page, "api");

    // the browser's fetch span alone in its trace; the gateway's SERVER span the root of the
    // rest of the flow
    order(order)
        .matchesSpecBrokenAt(Flow.GATEWAY + ":SERVER:" + Flow.GATEWAY_SERVER)
        .hasTraceCount(2);

    List<ReceivedRequest> api = frontend.received(FrontendServer.API);
    assertThat(api).extracting(ReceivedRequest::method).containsExactly("OPTIONS", "POST");
    assertThat(api.get(0).header("access-control-request-headers")).isEqualTo("content-type");
    assertThat(api.get(1).has("traceparent")).isFalse();
    assertThat(frontend.received(FrontendServer.ANALYTICS))
        .allSatisfy(r -> assertThat(r.has("traceparent")).isFalse());

    ScenarioReport report =
        await().atMost(WAIT).until(() -> lab.env().auditor().report(), r -> r.requests() == 1);
    assertThat(report.connectedRequests()).isZero();
    assertThat(report.fragmentsPerRequest()).isEqualTo(2.0);
    assertThat(report.services().get(Flow.GATEWAY))
        .isEqualTo(new ScenarioReport.ServiceFigures(2, 1, 1, 0, 0.5));
    assertThat(report.diagnoses()).hasSize(1);
    ScenarioReport.DiagnosisCount d = report.diagnoses().get(0);
    assertThat(List.of(d.boundary(), d.service(), d.span(), String.valueOf(d.count())))
        .containsExactly("cors", Flow.GATEWAY, Flow.GATEWAY_SERVER, "1");
    assertThat(d.fix()).endsWith("Fix: frontend/src/propagation.js");
  }
}
