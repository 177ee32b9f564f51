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
 * <p>What does not merge: the request figures of a correlation attribute (a request's traces may
 * sit on several auditors: it would count once per auditor), so the merged report has none; and
 * whatever an auditor lost (a restart, an end dropped at its bound, a trace split by a ring change)
 * stays lost.
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
    EdgePairing pairing = new EdgePairing(skew.toNanos(), maxLag.toNanos(), () -> connected[0]--);
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
    }
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
}
