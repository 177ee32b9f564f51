package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.ServiceLabels;
import dev.tracelab.auditor.trace.TraceClosed;
import dev.tracelab.flow.Flow;
import dev.tracelab.flow.Implementation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accumulates orphan figures over a run from close events alone: every closed trace is analysed
 * once, when it closes, and the event's fragments of each order say how many traces the request
 * became and whether it is connected. It never reads the assembler. {@link #report} turns the
 * run into the scenario object of docs/design.md §5.
 */
public final class RunStats {

  private static final int MAX_ORDERS = 200_000; // memory bound; a report covers the latest orders

  private final OrphanRules rules;
  private final Map<String, long[]> perService = new LinkedHashMap<>(); // spans, orphanRoots, missingParent
  private final Map<List<String>, Long> diagnosisCounts = new LinkedHashMap<>();
  private final Map<List<String>, String> diagnosisFix = new LinkedHashMap<>();
  private final Map<String, OrderFigures> orders =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, OrderFigures> eldest) {
          return size() > MAX_ORDERS;
        }
      };
  private long traces;
  private long startNanos = Long.MIN_VALUE;

  /** What the close events told about one order (small: up to 200 000 are kept). */
  private static final class OrderFigures {
    String firstTraceId;
    Set<String> otherTraceIds; // null while the request is one trace
    boolean singleTraceConnected;
    int linkedFragments; // how many traces the last judgement found joined by links; 0 = not linked
    boolean producedOutsideFlow; // its record reached the consumer with no context: not a request

    void addTrace(String traceId) {
      if (firstTraceId == null) {
        firstTraceId = traceId;
      } else if (!firstTraceId.equals(traceId)) {
        if (otherTraceIds == null) {
          otherTraceIds = new HashSet<>(4);
        }
        otherTraceIds.add(traceId);
      }
    }

    int fragments() {
      return firstTraceId == null ? 0 : 1 + (otherTraceIds == null ? 0 : otherTraceIds.size());
    }

    boolean connected() {
      return fragments() == 1 && singleTraceConnected;
    }

    boolean linked() {
      return linkedFragments > 1 && linkedFragments == fragments();
    }
  }

  private RunSetup setup = RunSetup.DEFAULT;

  private final ServiceLabels labels;

  public RunStats(OrphanRules rules) {
    this(rules, new ServiceLabels(ServiceLabels.DEFAULT_MAX, Flow.SERVICES));
  }

  /** Per-service figures are kept under {@code labels} (beyond its cap: {@code other}). */
  public RunStats(OrphanRules rules, ServiceLabels labels) {
    this.rules = rules;
    this.labels = labels;
    reset(Long.MIN_VALUE);
  }

  /**
   * Starts a new run at {@code startNanos} (the assembler's clock): only traces whose first span
   * arrived from then on count, so a trace of the previous run that closes late cannot leak in.
   */
  public synchronized void reset(long startNanos) {
    reset(startNanos, RunSetup.DEFAULT);
  }

  /** Starts a new run described by {@code setup} (its implementations and propagators). */
  public synchronized void reset(long startNanos, RunSetup setup) {
    this.startNanos = startNanos;
    this.setup = setup;
    perService.clear();
    for (String service : setup.implementations().roles()) {
      perService.put(labels.label(service), new long[3]);
    }
    diagnosisCounts.clear();
    diagnosisFix.clear();
    orders.clear();
    traces = 0;
  }

  /** Analyses a closed trace (the assembler's close listener). */
  public synchronized void add(TraceClosed closed) {
    AssembledTrace trace = closed.trace();
    if (trace.firstArrivalNanos() < startNanos) {
      return; // began before this run
    }
    traces++;
    for (ReceivedSpan span : trace.spans()) {
      perService.computeIfAbsent(labels.label(span.service()), s -> new long[3])[0]++;
    }
    // events may be delivered out of close order (two threads): fragments only accumulate, and a
    // request that stays one trace has the same (final) content in every event
    closed.fragmentsByOrder().forEach((orderId, fragments) -> {
      OrderFigures order = orders.computeIfAbsent(orderId, k -> new OrderFigures());
      fragments.forEach(f -> order.addTrace(f.traceId()));
      if (fragments.size() == 1) {
        order.singleTraceConnected = FlowShape.isConnected(fragments, setup.flow());
      } else {
        order.linkedFragments = FlowShape.isLinked(fragments, setup.flow()) ? fragments.size() : 0;
      }
    });
    for (OrphanRules.Orphan orphan : rules.orphansOf(closed, setup)) {
      Diagnosis d = orphan.diagnosis();
      if (orphan.counts()) {
        perService.get(labels.label(orphan.span().service()))[orphan.root() ? 1 : 2]++;
      } else if (orphan.span().orderId() != null) {
        OrderFigures order = orders.get(orphan.span().orderId());
        if (order != null) {
          order.producedOutsideFlow = true;
        }
      }
      List<String> key = List.of(d.boundary(), labels.label(d.service()), d.span());
      diagnosisCounts.merge(key, 1L, Long::sum);
      diagnosisFix.putIfAbsent(key, d.fix());
    }
  }

  public synchronized long tracesAnalysed() {
    return traces;
  }

  /** Per-service figures of the run, without the per-request work of {@link #report}. */
  public synchronized Map<String, ScenarioReport.ServiceFigures> serviceFigures() {
    Map<String, ScenarioReport.ServiceFigures> services = new LinkedHashMap<>();
    perService.forEach(
        (service, c) ->
            services.put(
                service,
                new ScenarioReport.ServiceFigures(
                    c[0], c[1] + c[2], c[1], c[2], c[0] == 0 ? 0.0 : (double) (c[1] + c[2]) / c[0])));
    return services;
  }

  /** Requests of the run whose traces are joined by links along the flow (docs/design.md §8). */
  public synchronized long linkedRequests() {
    long linked = 0;
    for (OrderFigures order : orders.values()) {
      if (!order.producedOutsideFlow && !order.connected() && order.linked()) {
        linked++;
      }
    }
    return linked;
  }

  /** What the current run is. */
  public synchronized RunSetup setup() {
    return setup;
  }

  /** The run as one scenario object, named as its setup says. */
  public synchronized ScenarioReport report() {
    return report(setup.name(), setup.variants());
  }

  public synchronized ScenarioReport report(String name, Map<String, String> variants) {
    int requests = 0;
    int connected = 0;
    int linked = 0;
    long fragments = 0;
    for (OrderFigures order : orders.values()) {
      if (order.producedOutsideFlow) {
        continue; // a record produced outside the flow is not a request of it
      }
      requests++;
      fragments += order.fragments();
      if (order.connected()) {
        connected++;
      } else if (order.linked()) {
        linked++;
      }
    }
    List<ScenarioReport.DiagnosisCount> diagnoses = new ArrayList<>();
    diagnosisCounts.forEach(
        (key, count) ->
            diagnoses.add(
                new ScenarioReport.DiagnosisCount(
                    key.get(0), key.get(1), key.get(2), count, diagnosisFix.get(key))));
    return new ScenarioReport(
        name,
        variants,
        setup.implementations().ids(),
        setup.mesh(),
        requests,
        connected,
        requests == 0 ? 0.0 : (double) connected / requests,
        linked,
        requests == 0 ? 0.0 : (double) linked / requests,
        requests == 0 ? 0.0 : (double) fragments / requests,
        serviceFigures(),
        diagnoses);
  }
}
