// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the reports of several auditors behind a trace-id load balancer into the report one
 * auditor would have made of the same traffic (docs/design.md §11.4): per-service counts, traces
 * and diagnoses sum; the broken edges each auditor paired sum; then the ends each auditor could not
 * pair — because the other end of the call sat on another auditor — are paired here. Each report
 * must carry its {@link PairingState} ({@code --report-json} writes it; {@code GET
 * /api/report?pending=true}).
 *
 * <p>A consumer root one auditor judged {@code no-context} (no producer span of its request there,
 * so not an orphan) whose request's producer call is pending on another auditor is what one auditor
 * would have counted: an orphan root with the Kafka boundary's diagnosis, paired with that call.
 *
 * <p>What does not merge: the request figures of a correlation attribute (a request's traces may
 * sit on several auditors: it would count once per auditor), so the merged report has none; the
 * other verdicts that read a request's other traces (an async root with no serving span of its
 * request on its auditor is diagnosed {@code unknown}, not {@code async}; a linked root whose
 * link's trace is on another auditor counts as an orphan); and whatever an auditor lost (a restart,
 * an end dropped at its bound, a trace split by a ring change) stays lost.
 */
public final class AuditMerge {

  private AuditMerge() {}

  /** The merged report; {@code spec} is the flow spec every auditor judged by. */
  public static AuditReport merge(
      List<AuditReport> reports,
      dev.tracelab.auditor.spec.FlowSpec spec,
      Duration skew,
      Duration maxLag) {
    if (reports.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge");
    }
    long traces = 0;
    long[] connected = {0};
    Map<String, long[]> services = new LinkedHashMap<>();
    Map<List<String>, Long> diagnosisCounts = new LinkedHashMap<>();
    Map<List<String>, String> diagnosisFix = new LinkedHashMap<>();
    EdgePairing pairing = new EdgePairing(skew.toNanos(), maxLag.toNanos(), d -> connected[0] += d);
    for (AuditReport r : reports) {
      if (r.pending() == null) {
        throw new IllegalArgumentException(
            "a report without its pending ends cannot be merged (report mode "
                + r.mode()
                + ", "
                + r.traces()
                + " traces): write it with --report-json or GET /api/report?pending=true");
      }
      traces += r.traces();
      connected[0] += r.connectedTraces();
      r.services()
          .forEach(
              (svc, f) -> {
                long[] c = services.computeIfAbsent(svc, k -> new long[3]);
                c[0] += f.spans();
                c[1] += f.orphanRoots();
                c[2] += f.missingParentOrphans();
              });
      for (ScenarioReport.DiagnosisCount d : r.diagnoses()) {
        List<String> key = List.of(d.boundary(), d.service(), d.span());
        diagnosisCounts.merge(key, d.count(), Long::sum);
        diagnosisFix.putIfAbsent(key, d.fix());
      }
      pairing.absorb(r.pending(), spec);
    }
    List<PairingState.PendingSpan> foundProducer = new ArrayList<>();
    reclassifyNoContextRoots(reports, spec, services, diagnosisCounts, diagnosisFix, foundProducer);
    for (PairingState.Role role :
        List.of(
            PairingState.Role.CALL,
            PairingState.Role.ROOT,
            PairingState.Role.ASYNC_ROOT,
            PairingState.Role.SERVING)) {
      for (AuditReport r : reports) {
        PairingState p = r.pending();
        pairing.offer(
            role,
            switch (role) {
              case CALL -> p.calls();
              case ROOT -> p.roots();
              case ASYNC_ROOT -> p.asyncRoots();
              case SERVING -> p.serving();
            },
            spec);
      }
      if (role == PairingState.Role.ROOT) {
        pairing.offer(role, foundProducer, spec);
      }
    }
    pairing.settleAll(spec);
    Map<String, ScenarioReport.ServiceFigures> figures = new LinkedHashMap<>();
    services.forEach(
        (svc, c) ->
            figures.put(
                svc,
                new ScenarioReport.ServiceFigures(
                    c[0],
                    c[1] + c[2],
                    c[1],
                    c[2],
                    c[0] == 0 ? 0.0 : (double) (c[1] + c[2]) / c[0])));
    List<ScenarioReport.DiagnosisCount> diagnoses = new ArrayList<>();
    diagnosisCounts.forEach(
        (k, n) ->
            diagnoses.add(
                new ScenarioReport.DiagnosisCount(
                    k.get(0), k.get(1), k.get(2), n, diagnosisFix.get(k))));
    AuditReport first = reports.get(0);
    return new AuditReport(
        first.tool(),
        first.version(),
        first.mode(),
        first.spec(),
        traces,
        connected[0],
        null,
        null,
        null,
        null,
        figures,
        pairing.edges(),
        diagnoses,
        pairing.state());
  }

  /**
   * The no-context roots of each report whose request has a pending producer call on another
   * auditor: counted as orphan roots, diagnosed as one auditor would have, and collected in {@code
   * roots} for pairing.
   */
  private static void reclassifyNoContextRoots(
      List<AuditReport> reports,
      dev.tracelab.auditor.spec.FlowSpec spec,
      Map<String, long[]> services,
      Map<List<String>, Long> diagnosisCounts,
      Map<List<String>, String> diagnosisFix,
      List<PairingState.PendingSpan> roots) {
    // request -> the auditors (report indexes) holding a pending producer call of it
    Map<String, java.util.Set<Integer>> producers = new java.util.HashMap<>();
    for (int i = 0; i < reports.size(); i++) {
      for (PairingState.PendingSpan call : reports.get(i).pending().calls()) {
        if (!"PRODUCER".equals(call.kind())) {
          continue;
        }
        String request = spec.correlationOf(call.toSpan());
        if (request != null) {
          producers.computeIfAbsent(request, k -> new java.util.HashSet<>()).add(i);
        }
      }
    }
    if (producers.isEmpty()) {
      return;
    }
    OrphanRules rules = new OrphanRules(java.util.Set.of());
    for (int i = 0; i < reports.size(); i++) {
      for (PairingState.PendingSpan root : reports.get(i).pending().noContextRootsOrNone()) {
        dev.tracelab.auditor.trace.ReceivedSpan span = root.toSpan();
        String request = spec.correlationOf(span);
        java.util.Set<Integer> on = request == null ? null : producers.get(request);
        if (on == null || on.equals(java.util.Set.of(i))) {
          continue; // no producer of its request elsewhere: no-context for one auditor too
        }
        List<String> was = List.of(OrphanRules.NO_CONTEXT, span.service(), span.name());
        Long n = diagnosisCounts.get(was);
        if (n == null) {
          continue; // not in this report's figures (e.g. closed before the run)
        }
        if (n == 1) {
          diagnosisCounts.remove(was);
        } else {
          diagnosisCounts.put(was, n - 1);
        }
        Diagnosis d = rules.diagnoseRootWithProducerElsewhere(span, spec);
        List<String> key = List.of(d.boundary(), d.service(), d.span());
        diagnosisCounts.merge(key, 1L, Long::sum);
        diagnosisFix.putIfAbsent(key, d.fix());
        services.computeIfAbsent(span.service(), k -> new long[3])[1]++;
        roots.add(root);
      }
    }
  }
}
