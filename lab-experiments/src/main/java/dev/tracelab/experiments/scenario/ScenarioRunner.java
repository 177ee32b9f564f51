// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.scenario;

import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.orphans.FlowShape;
import dev.tracelab.auditor.orphans.RunSetup;
import dev.tracelab.auditor.orphans.ScenarioReport;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.env.LabEnvironment;
import dev.tracelab.experiments.OrderClient;
import dev.tracelab.flow.Scenario;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs one scenario on an embedded lab: switch variants, start an auditor run, send N requests,
 * wait until the auditor has judged every request (closed its traces), and report. Shared by {@code
 * ./lab demo}, {@code ./lab gate} and the gate's JUnit test.
 */
public final class ScenarioRunner {

  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

  private final LabEnvironment env;
  private final int concurrency;

  public ScenarioRunner(LabEnvironment env, int concurrency) {
    this.env = env;
    this.concurrency = concurrency;
  }

  /**
   * @param orderIds the orders accepted (202)
   * @param failedRequests requests that did not get a 202
   * @param receivedMs per request: response -> last span of its trace(s) received, in ms
   * @param verdictMs per request: response -> the auditor's verdict (the moment it closed the
   *     request's last trace: as soon as all its spans are in, or after the quiet window when some
   *     never come), in ms
   * @param incompleteRequests accepted requests whose spans had not all arrived (in closed traces)
   *     when the drain timeout expired; the report then undercounts them
   */
  public record Result(
      ScenarioReport report,
      List<String> orderIds,
      int failedRequests,
      int incompleteRequests,
      double[] receivedMs,
      double[] verdictMs,
      Duration wallTime) {

    /** A one-line warning when the figures cover fewer requests than were sent, else empty. */
    public java.util.Optional<String> incompleteWarning() {
      if (failedRequests == 0 && incompleteRequests == 0) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(
          String.format(
              "warning: %s: %d request(s) not accepted, %d accepted request(s) still missing spans when the"
                  + " drain timeout expired; figures cover what arrived",
              report.name(), failedRequests, incompleteRequests));
    }

    public double percentile(double[] values, double p) {
      if (values.length == 0) {
        return Double.NaN;
      }
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
  }

  public Result run(Scenario scenario, int requests, IntConsumer progress) {
    long t0 = System.nanoTime();
    if (!env.runs(scenario)) {
      env.switchTo(
          scenario); // a lab already running these variants and propagators is used as it is
    }
    Auditor auditor = env.auditor();
    RunSetup setup = env.runSetup(scenario.id());
    auditor.startRun(setup);

    List<String> bodies = new ArrayList<>(requests);
    for (int n = 0; n < requests; n++) {
      bodies.add("{\"sku\":\"DEMO-" + (n % 1000) + "\",\"quantity\":" + (n % 1000 + 1) + "}");
    }
    AtomicInteger sent = new AtomicInteger();
    List<OrderClient.Placed> placed =
        OrderClient.create(env.gatewayUrl())
            .placeAll(bodies, concurrency, p -> progress.accept(sent.incrementAndGet()));
    Map<String, Long> doneAt = new LinkedHashMap<>();
    int failed = 0;
    for (OrderClient.Placed p : placed) {
      if (p.accepted() == null) {
        failed++;
      } else {
        doneAt.put(p.accepted().orderId(), p.doneNanos());
      }
    }
    List<String> orderIds = List.copyOf(doneAt.keySet());
    int incomplete = awaitClosed(auditor, orderIds, setup.spec(), agentSpans(scenario));

    double[] received = new double[orderIds.size()];
    double[] verdict = new double[orderIds.size()];
    for (int i = 0; i < orderIds.size(); i++) {
      String id = orderIds.get(i);
      long lastSpan = 0;
      long lastClose = 0;
      for (AssembledTrace t : auditor.tracesOfOrder(id)) {
        lastSpan = Math.max(lastSpan, t.lastArrivalNanos());
        lastClose = Math.max(lastClose, t.closedAtNanos());
      }
      received[i] = (lastSpan - doneAt.get(id)) / 1e6;
      verdict[i] = (lastClose - doneAt.get(id)) / 1e6;
    }
    return new Result(
        auditor.report(),
        orderIds,
        failed,
        incomplete,
        received,
        verdict,
        Duration.ofNanos(System.nanoTime() - t0));
  }

  /**
   * Waits until every order has all its spans, in traces that all closed (the auditor closes them
   * as soon as the request is complete); returns how many did not.
   */
  private static int awaitClosed(
      Auditor auditor,
      List<String> orderIds,
      dev.tracelab.auditor.spec.FlowSpec flow,
      int agentSpans) {
    long deadline =
        System.nanoTime() + DRAIN_TIMEOUT.toNanos() + auditor.assembler().quietWindow().toNanos();
    List<String> pending = new ArrayList<>(orderIds);
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      pending.removeIf(
          id ->
              agentSpans > 0
                  ? agentSpansArrived(auditor.tracesOfOrder(id), agentSpans)
                  : FlowShape.allSpansArrived(auditor.tracesOfOrder(id), flow));
      if (!pending.isEmpty()) {
        try {
          Thread.sleep(10); // polls in-process state: a verdict is seen within 10 ms
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return pending.size();
        }
      }
    }
    return pending.size();
  }

  /**
   * Under {@code --instrumentation agent}: how many spans carry one request's order id in the shape
   * the flow model describes (docs/auto-instrumentation.md), else 0 (the flow's span count
   * decides). Under the Java agent the order id is on fewer spans than the flow lists.
   */
  private int agentSpans(Scenario scenario) {
    if (env.instrumentation() != dev.tracelab.flow.Instrumentation.AGENT) {
      return 0;
    }
    return dev.tracelab.auditor.lab.LabFlowSpecs.agentShape(env.implementations(), scenario)
        .map(dev.tracelab.auditor.lab.RequestShape::spans)
        .orElse(0);
  }

  private static boolean agentSpansArrived(List<AssembledTrace> traces, int spans) {
    int arrived = 0;
    for (AssembledTrace t : traces) {
      if (!t.isClosed()) {
        return false;
      }
      arrived += t.spans().size() + t.lateSpans().size();
    }
    return arrived >= spans;
  }
}
