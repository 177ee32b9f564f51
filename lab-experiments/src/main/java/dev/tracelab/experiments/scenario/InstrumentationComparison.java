// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.experiments.scenario;

import dev.tracelab.auditor.Auditor;
import dev.tracelab.auditor.lab.LabFlowSpecs;
import dev.tracelab.auditor.lab.RequestShape;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Implementations;
import dev.tracelab.flow.Scenario;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Each defect under {@code sdk} and under {@code agent} (docs/auto-instrumentation.md): from the
 * shapes the runs measured ({@link RequestShape} of every request, the most frequent one per run),
 * whether the agent leaves the defect broken, hides it, or changes the request's shape.
 *
 * <ul>
 *   <li><b>still broken</b>: the defect's symptom is there: the span its boundary orphans
 *       (docs/design.md §3: {@code POST /work}, {@code order.prepare}, {@code process orders})
 *       still starts a trace.
 *   <li><b>hidden</b>: no symptom, and the request has exactly the shape of the fixed scenario
 *       under the same instrumentation: nothing in the traces tells the defect is there.
 *   <li><b>changed shape</b>: no symptom, but a shape neither the defect's nor the fixed one.
 * </ul>
 */
public final class InstrumentationComparison {

  /** The rows: the fixed scenario, then each defect. */
  public static final List<Scenario> ROWS =
      List.of(
          Scenario.FIXED,
          Scenario.BROKEN_HTTP,
          Scenario.BROKEN_ASYNC,
          Scenario.BROKEN_KAFKA,
          Scenario.BROKEN_PROPAGATORS,
          Scenario.ALL_BROKEN);

  private InstrumentationComparison() {}

  /**
   * One run's shape: the most frequent request shape, how many requests had it, how many requests
   * and how many distinct shapes there were; and the spans the auditor diagnosed as orphan roots in
   * the run ({@code service name}), correlated with an order or not (under the Java agent the
   * worker's SERVER spans carry no {@code app.order_id}).
   */
  public record Measured(
      RequestShape shape,
      int withShape,
      int requests,
      int distinctShapes,
      java.util.Set<String> diagnosedRoots) {}

  /**
   * The most frequent shape among the run's requests as {@code auditor} assembled them, and the
   * run's diagnosed orphan roots.
   */
  public static Measured measure(Auditor auditor, ScenarioRunner.Result run) {
    Measured m = measure(auditor, run.orderIds());
    java.util.Set<String> roots = new java.util.TreeSet<>();
    run.report().diagnoses().forEach(d -> roots.add(d.service() + " " + d.span()));
    return new Measured(m.shape(), m.withShape(), m.requests(), m.distinctShapes(), roots);
  }

  /** The most frequent shape among {@code orderIds}' requests as {@code auditor} assembled them. */
  public static Measured measure(Auditor auditor, List<String> orderIds) {
    Map<RequestShape, Integer> counts = new LinkedHashMap<>();
    for (String id : orderIds) {
      counts.merge(RequestShape.measured(auditor.tracesOfOrder(id)), 1, Integer::sum);
    }
    RequestShape mode = new RequestShape(List.of());
    int best = 0;
    for (Map.Entry<RequestShape, Integer> e : counts.entrySet()) {
      if (e.getValue() > best) {
        mode = e.getKey();
        best = e.getValue();
      }
    }
    return new Measured(mode, best, orderIds.size(), counts.size(), java.util.Set.of());
  }

  /**
   * One row: a scenario's outcome under sdk and agent, what the agent did per broken boundary, and
   * whether the agent's shape is the one the flow model describes.
   */
  public record Row(
      Scenario scenario,
      String sdk,
      String agent,
      int sdkFragments,
      int agentFragments,
      Map<Boundary, String> boundaries,
      String model) {}

  /**
   * The rows for the scenarios measured under both: {@code sdk} and {@code agent} map each scenario
   * to its measured shape.
   */
  public static List<Row> compare(
      Implementations implementations, Map<Scenario, Measured> sdk, Map<Scenario, Measured> agent) {
    ExpectedFlow flow = ExpectedFlow.of(implementations);
    List<Row> rows = new ArrayList<>();
    for (Scenario scenario : ROWS) {
      Measured s = sdk.get(scenario);
      Measured a = agent.get(scenario);
      if (s == null || a == null) {
        continue;
      }
      Optional<RequestShape> described = LabFlowSpecs.agentShape(implementations, scenario);
      String model =
          described.isEmpty()
              ? "not described"
              : described.get().equals(a.shape()) ? "as described" : "DIFFERS from the model";
      Map<Boundary, String> boundaries = new LinkedHashMap<>();
      if (scenario == Scenario.FIXED) {
        rows.add(
            new Row(
                scenario,
                s.shape().fragments() == 1 ? "connected" : "NOT connected",
                a.shape().equals(s.shape()) ? "same shape" : "changed shape",
                s.shape().fragments(),
                a.shape().fragments(),
                boundaries,
                model));
        continue;
      }
      boolean sdkBroken = false;
      boolean agentBroken = false;
      for (Boundary b : scenario.brokenBoundaries()) {
        ExpectedSpan symptom = flow.orphanSpan(b);
        boolean inSdk = hasRoot(s, symptom);
        boolean inAgent = hasRoot(a, symptom);
        sdkBroken |= inSdk;
        agentBroken |= inAgent;
        boundaries.put(b, inAgent ? "still broken" : inSdk ? "repaired by the agent" : "-");
      }
      Measured agentFixed = agent.get(Scenario.FIXED);
      String agentOutcome =
          agentBroken
              ? "still broken"
              : agentFixed != null && agentFixed.shape().equals(a.shape())
                  ? "hidden"
                  : "changed shape";
      rows.add(
          new Row(
              scenario,
              sdkBroken ? "broken" : "not broken",
              agentOutcome,
              s.shape().fragments(),
              a.shape().fragments(),
              boundaries,
              model));
    }
    return rows;
  }

  private static boolean hasRoot(Measured run, ExpectedSpan span) {
    return run.shape().hasRoot(span.service(), span.kind().name(), span.name())
        || run.diagnosedRoots().stream()
            .anyMatch(d -> d.equalsIgnoreCase(span.service() + " " + span.name()));
  }

  /** The table: one line per row, then a diagnosis line per boundary the agent repaired. */
  public static List<String> table(List<Row> rows, String label) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "Defect x instrumentation on "
            + label
            + ": what the agent did to each defect (measured: each run's most frequent request shape):");
    String header =
        String.format(
            Locale.ROOT,
            "%-18s | %-12s | %-13s | %-15s | %s",
            "scenario",
            "sdk",
            "agent",
            "traces/request",
            "agent shape vs flow model");
    lines.add(header);
    lines.add("-".repeat(header.length()));
    for (Row r : rows) {
      lines.add(
          String.format(
              Locale.ROOT,
              "%-18s | %-12s | %-13s | %-15s | %s",
              r.scenario().id(),
              r.sdk(),
              r.agent(),
              "sdk " + r.sdkFragments() + ", agent " + r.agentFragments(),
              r.model()));
      if (r.boundaries().size() > 1) {
        r.boundaries().forEach((b, what) -> lines.add("  " + b.id() + ": " + what));
      }
    }
    lines.add("-".repeat(header.length()));
    lines.add(
        "still broken: the defect's orphan span still starts a trace; hidden: the request looks exactly like"
            + " fixed under the agent; changed shape: neither");
    List<String> diagnoses = new ArrayList<>();
    for (Row r : rows) {
      r.boundaries()
          .forEach(
              (b, what) -> {
                String why = why(b, what);
                if (why != null && !diagnoses.contains(why)) {
                  diagnoses.add(why);
                }
              });
      if (r.scenario() == Scenario.FIXED && r.agent().equals("changed shape")) {
        diagnoses.add(
            "fixed, changed shape: the agent bridges the services' Context to its own storage, which drops"
                + " the spans of a service's own SDK: they become parents of nothing, and the agent's spans"
                + " (duplicate SERVER, CLIENT, PRODUCER and CONSUMER spans) carry the request instead");
      }
    }
    if (!diagnoses.isEmpty()) {
      lines.add("");
      lines.add("Diagnosis:");
      diagnoses.forEach(d -> lines.add("  " + d));
    }
    return lines;
  }

  /** Why the agent repaired a boundary, and why that repair is fragile; null when it did not. */
  static String why(Boundary b, String what) {
    if (!what.equals("repaired by the agent")) {
      return what.equals("still broken") && b == Boundary.KAFKA
          ? "kafka, still broken: the agent's own CONSUMER span ('orders process') is connected, but"
              + " the consumer's code starts its process span with no parent: a dashboard of the agent's"
              + " spans looks healthy while the service's span is an orphan"
          : null;
    }
    return switch (b) {
      case HTTP ->
          "http, the agent did the fix: its java.net.http instrumentation injects traceparent itself; the"
              + " gateway's code still sends only its home-made X-Trace-ID. Fragile: a client or transport the"
              + " agent does not instrument (or the agent removed) breaks the hop again, and the header nobody"
              + " reads is still there";
      case ASYNC ->
          "async, the agent did the fix: its executor instrumentation carries the context into the task the"
              + " raw executor runs; the worker's code still does not. Fragile: a custom queue the agent"
              + " cannot see (a BlockingQueue drained by your own threads, a batch buffer, the Node.js"
              + " worker's job queue) breaks it again";
      case KAFKA ->
          "kafka, the agent did the fix: its Kafka consumer instrumentation made the record's context"
              + " current. Fragile: a consumer that does not iterate the records on the polling thread is not"
              + " covered";
      case PROPAGATORS ->
          "propagators, the agent did the fix: it injected and extracted with its own propagators";
      case CORS -> null;
    };
  }
}
