// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.ServiceLabels;
import dev.tracelab.auditor.trace.TraceClosed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accumulates orphan figures over a run from close events alone: every closed trace is analysed
 * once, when it closes, and the event's fragments of each order say how many traces the request
 * became and whether it is connected. It never reads the assembler. {@link #report} turns the run
 * into the scenario object of docs/design.md §5.
 */
public final class RunStats {

  private static final int MAX_ORDERS = 200_000; // memory bound; a report covers the latest orders

  private final OrphanRules rules;
  private final Map<String, long[]> perService =
      new LinkedHashMap<>(); // spans, orphanRoots, missingParent
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
  private long connectedTraces;
  private long startNanos = Long.MIN_VALUE;
  private final Duration skew;
  private final Duration maxLag;
  private EdgePairing edges;

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

  private RunSetup setup;

  private final ServiceLabels labels;

  /** Clock skew tolerated when pairing, and the longest a message may wait for its consumer. */
  public static final Duration DEFAULT_SKEW = Duration.ofMillis(100);

  public static final Duration DEFAULT_MAX_LAG = Duration.ofMinutes(10);

  /** A run of {@code setup}, its services' labels uncapped beyond the default. */
  public RunStats(OrphanRules rules, RunSetup setup) {
    this(rules, new ServiceLabels(ServiceLabels.DEFAULT_MAX, setup.spec().services()), setup);
  }

  /**
   * A run of {@code setup}; per-service figures are kept under {@code labels} (beyond its cap:
   * {@code other}).
   */
  public RunStats(OrphanRules rules, ServiceLabels labels, RunSetup setup) {
    this(rules, labels, setup, DEFAULT_SKEW, DEFAULT_MAX_LAG);
  }

  public RunStats(
      OrphanRules rules, ServiceLabels labels, RunSetup setup, Duration skew, Duration maxLag) {
    this.rules = rules;
    this.labels = labels;
    this.skew = skew;
    this.maxLag = maxLag;
    reset(Long.MIN_VALUE, setup);
  }

  /**
   * Starts a new run at {@code startNanos} (the assembler's clock) judged by {@code setup}'s spec:
   * only traces whose first span arrived from then on count, so a trace of the previous run that
   * closes late cannot leak in.
   */
  public synchronized void reset(long startNanos, RunSetup setup) {
    this.startNanos = startNanos;
    this.setup = setup;
    perService.clear();
    for (String service : setup.spec().services()) {
      perService.put(labels.label(service), new long[3]);
    }
    diagnosisCounts.clear();
    diagnosisFix.clear();
    orders.clear();
    traces = 0;
    connectedTraces = 0;
    edges = new EdgePairing(skew.toNanos(), maxLag.toNanos(), d -> connectedTraces += d);
  }

  /** Analyses a closed trace (the assembler's close listener). */
  public synchronized void add(TraceClosed closed) {
    AssembledTrace trace = closed.trace();
    if (trace.firstArrivalNanos() < startNanos) {
      return; // began before this run
    }
    traces++;
    FlowSpec spec = setup.spec();
    for (ReceivedSpan span : trace.spans()) {
      perService.computeIfAbsent(labels.label(span.service()), s -> new long[3])[0]++;
    }
    // events may be delivered out of close order (two threads): fragments only accumulate, and a
    // request that stays one trace has the same (final) content in every event
    closed
        .fragmentsByOrder()
        .forEach(
            (orderId, fragments) -> {
              OrderFigures order = orders.computeIfAbsent(orderId, k -> new OrderFigures());
              fragments.forEach(f -> order.addTrace(f.traceId()));
              if (fragments.size() == 1) {
                order.singleTraceConnected = FlowShape.isConnected(fragments, spec);
              } else {
                order.linkedFragments = FlowShape.isLinked(fragments, spec) ? fragments.size() : 0;
              }
            });
    List<OrphanRules.Orphan> orphans = rules.orphansOf(closed, spec);
    boolean connected = isConnectedTrace(trace, orphans, spec);
    if (connected) {
      connectedTraces++;
    }
    edges.add(trace, orphans, spec, connected);
    for (OrphanRules.Orphan orphan : orphans) {
      Diagnosis d = orphan.diagnosis();
      if (orphan.counts()) {
        perService.get(labels.label(orphan.span().service()))[orphan.root() ? 1 : 2]++;
      } else if (spec.correlationOf(orphan.span()) != null) {
        OrderFigures order = orders.get(spec.correlationOf(orphan.span()));
        if (order != null) {
          order.producedOutsideFlow = true;
        }
      }
      List<String> key = List.of(d.boundary(), labels.label(d.service()), d.span());
      diagnosisCounts.merge(key, 1L, Long::sum);
      diagnosisFix.putIfAbsent(key, d.fix());
    }
  }

  /** One root, an entry point, and no orphan (its calls are not paired yet: see EdgePairing). */
  private boolean isConnectedTrace(
      AssembledTrace trace, List<OrphanRules.Orphan> orphans, FlowSpec spec) {
    if (!orphans.isEmpty()) {
      return false;
    }
    int roots = 0;
    for (ReceivedSpan s : trace.spans()) {
      if (s.isRoot()) {
        if (++roots > 1 || !rules.isEntryPoint(s, spec)) {
          return false;
        }
      }
    }
    return roots == 1;
  }

  public synchronized long tracesAnalysed() {
    return traces;
  }

  /** Traces rooted at an entry point, with no orphan and no call paired into a broken edge. */
  public synchronized long connectedTraces() {
    return connectedTraces;
  }

  /** The input has ended: pending roots take their best weak partners (see EdgePairing). */
  public synchronized void settleAll() {
    edges.settleAll(setup.spec());
  }

  /** The broken edges of the run, most counted first. */
  public synchronized List<BrokenEdge> brokenEdges() {
    return edges.edges();
  }

  /**
   * Unanswered calls and unexplained roots still waiting for a partner, and those dropped at the
   * bound.
   */
  public synchronized long[] pendingEnds() {
    return new long[] {edges.pendingCalls(), edges.pendingRoots(), edges.droppedEnds()};
  }

  /** Per-service figures of the run, without the per-request work of {@link #report}. */
  public synchronized Map<String, ScenarioReport.ServiceFigures> serviceFigures() {
    Map<String, ScenarioReport.ServiceFigures> services = new LinkedHashMap<>();
    perService.forEach(
        (service, c) ->
            services.put(
                service,
                new ScenarioReport.ServiceFigures(
                    c[0],
                    c[1] + c[2],
                    c[1],
                    c[2],
                    c[0] == 0 ? 0.0 : (double) (c[1] + c[2]) / c[0])));
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
        setup.implementations(),
        setup.mesh(),
        setup.instrumentation(),
        requests,
        connected,
        requests == 0 ? 0.0 : (double) connected / requests,
        linked,
        requests == 0 ? 0.0 : (double) linked / requests,
        requests == 0 ? 0.0 : (double) fragments / requests,
        serviceFigures(),
        diagnoses,
        edges.edges());
  }

  /** The run as the generic report of docs/design.md §11.4: only services that sent spans. */
  public synchronized AuditReport auditReport(String mode) {
    return auditReport(mode, false);
  }

  /**
   * The generic report; with {@code pending}, also what its pairing holds (pending ends, edges by
   * names), so that reports of several auditors merge ({@link AuditMerge}).
   */
  public synchronized AuditReport auditReport(String mode, boolean pending) {
    ScenarioReport lab = report();
    Map<String, ScenarioReport.ServiceFigures> services = new LinkedHashMap<>();
    lab.services()
        .forEach(
            (k, v) -> {
              if (v.spans() > 0) {
                services.put(k, v);
              }
            });
    boolean requests = setup.spec().correlation() != null;
    return new AuditReport(
        AuditReport.TOOL,
        AuditReport.buildVersion(),
        mode,
        setup.spec().name(),
        traces,
        connectedTraces,
        requests ? lab.requests() : null,
        requests ? lab.connectedRequests() : null,
        requests ? lab.linkedRequests() : null,
        requests ? lab.fragmentsPerRequest() : null,
        services,
        lab.brokenEdges(),
        lab.diagnoses(),
        pending ? edges.state() : null);
  }
}
