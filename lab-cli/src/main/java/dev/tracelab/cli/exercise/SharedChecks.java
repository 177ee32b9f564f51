// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.lab.LabFlowSpecs;
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
import dev.tracelab.env.service.FrontendBundle;
import dev.tracelab.experiments.OrderClient;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementation;
import dev.tracelab.flow.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end-to-end runs of the exercises that are no service code: {@code propagators} (the lab's
 * fixed services, each with the {@code OTEL_PROPAGATORS} of {@link OtelEnv#FILE}) and {@code cors}
 * (the workspace's page, bundled, in a real Chromium, placing an order through the cross-origin
 * API). Each judges the span its boundary's defect makes an orphan, as {@link EndToEnd} does.
 */
final class SharedChecks {

  private static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * What the run showed: the boundary's observation, and for the page the trace headers the third
   * party received (a leak), else empty.
   */
  record Seen(EndToEnd.Observation observation, List<String> leaked) {}

  private final Path root;

  SharedChecks(Path root) {
    this.root = root;
  }

  /**
   * The lab's services (fixed code) with {@code propagators}; {@link EndToEnd#REQUESTS} orders. The
   * propagators exercise is fixed when the whole request is one trace: the first boundary that is
   * not connected is the observation (a worker that now speaks B3 breaks the Kafka hop).
   */
  Seen propagators(Map<String, String> propagators) {
    LabEnvironment.Builder builder =
        LabEnvironment.builder().scenario(Scenario.FIXED).propagators(propagators);
    try (LabEnvironment env = builder.start()) {
      RunSetup setup = env.runSetup("exercise-propagators");
      env.auditor().startRun(setup);
      List<String> orders = new ArrayList<>();
      OrderClient client = OrderClient.create(env.gatewayUrl());
      for (int n = 0; n < EndToEnd.REQUESTS; n++) {
        OrderClient.Accepted a = client.place("{\"sku\":\"PROP-" + n + "\",\"quantity\":1}");
        if (a == null) {
          throw new ExerciseException("the gateway did not accept an order (POST /orders)");
        }
        orders.add(a.orderId());
      }
      awaitComplete(env.auditor(), orders, setup);
      ExpectedFlow flow = ExpectedFlow.of(env.implementations());
      ScenarioReport report = env.auditor().report();
      EndToEnd.Observation first = null;
      for (String order : orders) {
        List<AssembledTrace> fragments = env.auditor().tracesOfOrder(order);
        for (Boundary b : List.of(Boundary.HTTP, Boundary.ASYNC, Boundary.KAFKA)) {
          EndToEnd.Observation o =
              observe(flow.orphanSpan(b), flow.step(flow.orphanSpan(b).parentStep()), fragments);
          if (o.verdict() != EndToEnd.Verdict.CONNECTED) {
            return new Seen(withDiagnosis(o, report), List.of());
          }
          if (first == null && b == Boundary.HTTP) {
            first = o;
          }
        }
      }
      return new Seen(first, List.of());
    }
  }

  /**
   * The workspace's page (bundled from its {@code frontend/}) in Chromium, the lab's fixed services
   * behind it; one order through the API origin. The observation is the gateway's SERVER span (a
   * child of the page's fetch span, or a root); {@code leaked} the trace headers the third party
   * received.
   */
  Seen cors() {
    Path executable =
        Chromium.find()
            .orElseThrow(
                () ->
                    new ExerciseException(
                        "the cors check needs Chromium (apt-get install chromium, or set"
                            + " TRACELAB_CHROMIUM)"));
    Path bundle;
    try {
      bundle = FrontendBundle.prepare(root);
    } catch (IllegalStateException e) {
      throw new ExerciseException("the page does not build: " + e.getMessage());
    }
    try (LabEnvironment env = LabEnvironment.builder().scenario(Scenario.FIXED).start();
        FrontendServer page =
            FrontendServer.builder()
                .bundle(bundle)
                .gateway(env::gatewayUrl)
                .otlpEndpoint(() -> env.auditor().otlpEndpoint())
                .variant(FrontendVariant.FIXED)
                .host("127.0.0.1")
                .ports(0, 0, 0)
                .start();
        Chromium chromium = Chromium.launch(executable)) {
      Map<String, String> variants = new LinkedHashMap<>();
      variants.put(Flow.FRONTEND, FrontendVariant.FIXED.id());
      env.variants().forEach((role, v) -> variants.put(role, v.id()));
      RunSetup setup =
          LabFlowSpecs.setup(
              "exercise-cors",
              variants,
              env.implementations().with(Implementation.FRONTEND_BROWSER),
              env.propagators());
      env.auditor().startRun(setup);
      BrowserPage tab = chromium.newPage(1000, 700);
      tab.open(page.pageUrl(), WAIT);
      tab.waitFor("document.body.dataset.ready === 'true'", WAIT);
      JsonNode placed =
          tab.evaluate(
              "window.tracelab.placeOrder('api').catch(e => { throw new Error('placeOrder failed: '"
                  + " + String(e)); })");
      String order = placed.path("orderId").asText("");
      if (placed.path("status").asInt() != 202 || order.isEmpty()) {
        throw new ExerciseException(
            "the page's order through the API origin was not accepted: " + placed);
      }
      awaitComplete(env.auditor(), List.of(order), setup);
      ExpectedFlow flow =
          ExpectedFlow.of(env.implementations().with(Implementation.FRONTEND_BROWSER));
      ExpectedSpan gateway = flow.orphanSpan(Boundary.CORS);
      EndToEnd.Observation o =
          observe(gateway, flow.step(gateway.parentStep()), env.auditor().tracesOfOrder(order));
      List<String> leaked = new ArrayList<>();
      for (ReceivedRequest r : page.received(FrontendServer.ANALYTICS)) {
        for (String h : List.of("traceparent", "tracestate", "baggage")) {
          if (r.header(h) != null) {
            leaked.add(r.method() + " " + h + ": " + r.header(h));
          }
        }
        String asked = r.header("access-control-request-headers");
        if (asked != null && asked.contains("traceparent")) {
          leaked.add("OPTIONS preflight asking for " + asked);
        }
      }
      return new Seen(withDiagnosis(o, env.auditor().report()), leaked);
    }
  }

  /** Waits until every order's spans are in closed traces, or the wait expires. */
  private static void awaitComplete(Auditor auditor, List<String> orders, RunSetup setup) {
    long deadline =
        System.nanoTime() + WAIT.toNanos() + auditor.assembler().quietWindow().toNanos();
    List<String> pending = new ArrayList<>(orders);
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      pending.removeIf(id -> FlowShape.allSpansArrived(auditor.tracesOfOrder(id), setup.spec()));
      if (!pending.isEmpty()) {
        try {
          Thread.sleep(10); // polls in-process state
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ExerciseException("interrupted");
        }
      }
    }
  }

  private static EndToEnd.Observation observe(
      ExpectedSpan expected, ExpectedSpan parent, List<AssembledTrace> fragments) {
    ReceivedSpan span = find(fragments, expected);
    ReceivedSpan expectedParent = find(fragments, parent);
    if (span == null) {
      return new EndToEnd.Observation(EndToEnd.Verdict.NOT_SEEN, fragments, null, null, null);
    }
    if (span.isRoot()) {
      return new EndToEnd.Observation(
          span.links().isEmpty() ? EndToEnd.Verdict.ROOT : EndToEnd.Verdict.LINKED,
          fragments,
          span,
          null,
          null);
    }
    if (expectedParent != null
        && span.parentSpanId().equals(expectedParent.spanId())
        && span.traceId().equals(expectedParent.traceId())) {
      return new EndToEnd.Observation(EndToEnd.Verdict.CONNECTED, fragments, span, null, null);
    }
    return new EndToEnd.Observation(
        EndToEnd.Verdict.WRONG_PARENT, fragments, span, byId(fragments, span.parentSpanId()), null);
  }

  /** The observation with the auditor's diagnosis of its span's orphan, if it made one. */
  private static EndToEnd.Observation withDiagnosis(EndToEnd.Observation o, ScenarioReport report) {
    if (o == null || o.span() == null || o.verdict() == EndToEnd.Verdict.CONNECTED) {
      return o;
    }
    Optional<ScenarioReport.DiagnosisCount> d =
        report.diagnoses().stream()
            .filter(x -> x.service().equals(o.span().service()) && x.span().equals(o.span().name()))
            .findFirst();
    return new EndToEnd.Observation(
        o.verdict(), o.fragments(), o.span(), o.actualParent(), d.orElse(null));
  }

  private static ReceivedSpan find(List<AssembledTrace> fragments, ExpectedSpan e) {
    for (AssembledTrace t : fragments) {
      for (ReceivedSpan s : t.spans()) {
        if (e.matches(s.service(), s.kind(), s.name())) {
          return s;
        }
      }
    }
    return null;
  }

  private static ReceivedSpan byId(List<AssembledTrace> fragments, String spanId) {
    for (AssembledTrace t : fragments) {
      for (ReceivedSpan s : t.spans()) {
        if (s.spanId().equals(spanId)) {
          return s;
        }
      }
    }
    return null;
  }
}
