// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The CI regression gate: a run fails when any service's orphan rate is above the threshold. The
 * verdict carries the offending services and the diagnoses that explain them.
 */
public final class OrphanGate {

  public static final double DEFAULT_MAX_ORPHAN_RATE = 0.01;

  private OrphanGate() {}

  public record Verdict(
      boolean passed,
      double maxOrphanRate,
      List<String> failingServices,
      List<ScenarioReport.DiagnosisCount> diagnoses,
      List<String> lines) {}

  public static Verdict evaluate(ScenarioReport report, double maxOrphanRate) {
    List<String> failing = report.servicesAbove(maxOrphanRate);
    List<String> lines = new ArrayList<>();
    report
        .services()
        .forEach(
            (service, f) ->
                lines.add(
                    String.format(
                        Locale.ROOT,
                        "%-13s orphan rate %6.2f%% (%d of %d spans)  %s",
                        service,
                        f.orphanRate() * 100,
                        f.orphanSpans(),
                        f.spans(),
                        f.orphanRate() > maxOrphanRate ? "FAIL" : "ok")));
    List<ScenarioReport.DiagnosisCount> diagnoses =
        report.diagnoses().stream().filter(d -> failing.contains(d.service())).toList();
    for (ScenarioReport.DiagnosisCount d : diagnoses) {
      lines.add(
          String.format(
              Locale.ROOT,
              "  %s boundary broken at %s '%s' (%d orphan span(s)). %s",
              d.boundary(),
              d.service(),
              d.span(),
              d.count(),
              d.fix()));
    }
    if (report.requests() == 0) {
      lines.add("no request reached the auditor: nothing to judge");
      return new Verdict(false, maxOrphanRate, List.of(), List.of(), lines);
    }
    return new Verdict(failing.isEmpty(), maxOrphanRate, failing, diagnoses, lines);
  }
}
