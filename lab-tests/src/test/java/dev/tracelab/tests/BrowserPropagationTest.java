package dev.tracelab.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.auditor.orphans.FlowShape;
import dev.tracelab.auditor.orphans.RunSetup;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.env.browser.BrowserPage;
import dev.tracelab.env.browser.Chromium;
import dev.tracelab.env.frontend.FrontendServer;
import dev.tracelab.env.frontend.FrontendVariant;
import dev.tracelab.env.frontend.ReceivedRequest;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Scenario;
import io.opentelemetry.api.trace.SpanKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
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

  /** The order's traces once the auditor closed them all, holding the flow's spans. */
  private List<AssembledTrace> awaitTraces(String orderId, int fragments, int spans) {
    try {
      return await()
          .atMost(WAIT)
          .until(
              () -> lab.env().auditor().tracesOfOrder(orderId),
              traces ->
                  traces.size() == fragments
                      && traces.stream().allMatch(AssembledTrace::isClosed)
                      && traces.stream().mapToInt(t -> t.spans().size()).sum() == spans);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "order "
              + orderId
              + ": expected "
              + fragments
              + " closed trace(s) holding "
              + spans
              + " spans within "
              + WAIT.toSeconds()
              + " s; the auditor holds:"
              + describe(lab.env().auditor().tracesOfOrder(orderId)),
          e);
    }
  }

  private static ReceivedSpan only(
      List<AssembledTrace> traces, String service, SpanKind kind, String name) {
    List<ReceivedSpan> found =
        traces.stream()
            .flatMap(t -> t.spans().stream())
            .filter(s -> s.service().equals(service) && s.kind() == kind && s.name().equals(name))
            .toList();
    assertThat(found).as("%s %s %s", service, kind, name).hasSize(1);
    return found.get(0);
  }

  private static String describe(List<AssembledTrace> traces) {
    StringBuilder sb = new StringBuilder();
    for (AssembledTrace t : traces) {
      sb.append("\n  trace ").append(t.traceId()).append(t.isClosed() ? " closed" : " open");
      for (ReceivedSpan s : t.spans()) {
        sb.append("\n    ")
            .append(s.service())
            .append(' ')
            .append(s.kind())
            .append(' ')
            .append(s.name())
            .append(" id ")
            .append(s.spanId())
            .append(" parent ")
            .append(s.parentSpanId())
            .append(" order ")
            .append(s.attributes().get("app.order_id"));
      }
    }
    return sb.toString();
  }

  private static List<ReceivedSpan> roots(AssembledTrace trace) {
    return trace.spans().stream().filter(ReceivedSpan::isRoot).toList();
  }

  private static String traceparentOf(ReceivedSpan span) {
    return "00-" + span.traceId() + "-" + span.spanId() + "-01";
  }

  @Test
  void fixedTheTraceStartsInTheBrowserAndReachesTheConsumerThroughEitherOrigin() {
    BrowserPage page = open(FrontendVariant.FIXED);
    RunSetup setup = lab.env().auditor().runSetup();
    dev.tracelab.auditor.spec.FlowSpec flow = setup.spec();
    assertThat(flow.spanCount()).isEqualTo(7);

    JsonNode viaApi = placeOrder(page, "api");
    JsonNode viaPage = placeOrder(page, "same-origin");

    for (JsonNode order : List.of(viaApi, viaPage)) {
      List<AssembledTrace> traces = awaitTraces(order.path("orderId").asText(), 1, 7);
      assertThat(FlowShape.isConnected(traces, flow)).as("connected: %s", traces).isTrue();
      AssembledTrace trace = traces.get(0);
      ReceivedSpan browser = only(traces, Flow.FRONTEND, SpanKind.CLIENT, Flow.FRONTEND_FETCH);
      ReceivedSpan gateway = only(traces, Flow.GATEWAY, SpanKind.SERVER, Flow.GATEWAY_SERVER);
      assertThat(browser.isRoot()).isTrue();
      assertThat(roots(trace)).containsExactly(browser);
      assertThat(gateway.parentSpanId()).isEqualTo(browser.spanId());
      assertThat(trace.traceId()).isEqualTo(order.path("traceId").asText());
      assertThat(browser.attributes().get("app.order_id"))
          .isEqualTo(order.path("orderId").asText());
    }
    String apiTrace = awaitTraces(viaApi.path("orderId").asText(), 1, 7).get(0).traceId();
    ReceivedSpan apiFetch =
        only(
            awaitTraces(viaApi.path("orderId").asText(), 1, 7),
            Flow.FRONTEND,
            SpanKind.CLIENT,
            "POST");
    ReceivedSpan pageFetch =
        only(
            awaitTraces(viaPage.path("orderId").asText(), 1, 7),
            Flow.FRONTEND,
            SpanKind.CLIENT,
            "POST");

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

    List<AssembledTrace> traces = awaitTraces(order.path("orderId").asText(), 1, 7);
    assertThat(FlowShape.isConnected(traces, lab.env().auditor().runSetup().spec()))
        .isTrue(); // no orphan shows it
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

    List<AssembledTrace> traces = awaitTraces(order.path("orderId").asText(), 2, 7);
    traces.sort(Comparator.comparingInt(t -> t.spans().size()));
    assertThat(traces.get(0).spans())
        .extracting(ReceivedSpan::service, ReceivedSpan::kind, ReceivedSpan::name)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                Flow.FRONTEND, SpanKind.CLIENT, Flow.FRONTEND_FETCH));
    ReceivedSpan gateway = only(traces, Flow.GATEWAY, SpanKind.SERVER, Flow.GATEWAY_SERVER);
    assertThat(gateway.isRoot()).isTrue();
    assertThat(roots(traces.get(1))).containsExactly(gateway);
    assertThat(traces.get(1).spans()).hasSize(6);

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
