// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The generic report (docs/design.md §11.4): only services that sent spans; the request figures
 * only when the spec has a correlation attribute (null fields are not written).
 *
 * @param mode {@code entry} (no spec) or {@code spec}
 * @param spec the spec's name
 * @param pending what the auditor's pairing still holds, for {@code audit merge}; null unless asked
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditReport(
    String tool,
    String version,
    String mode,
    String spec,
    long traces,
    long connectedTraces,
    Integer requests,
    Integer connectedRequests,
    Integer linkedRequests,
    Double fragmentsPerRequest,
    Map<String, ScenarioReport.ServiceFigures> services,
    List<BrokenEdge> brokenEdges,
    List<ScenarioReport.DiagnosisCount> diagnoses,
    PairingState pending) {

  public static final String TOOL = "tracelab";

  /**
   * A report without the pairing's pending ends (what {@code GET /api/report} answers by default).
   */
  public AuditReport(
      String tool,
      String version,
      String mode,
      String spec,
      long traces,
      long connectedTraces,
      Integer requests,
      Integer connectedRequests,
      Integer linkedRequests,
      Double fragmentsPerRequest,
      Map<String, ScenarioReport.ServiceFigures> services,
      List<BrokenEdge> brokenEdges,
      List<ScenarioReport.DiagnosisCount> diagnoses) {
    this(
        tool,
        version,
        mode,
        spec,
        traces,
        connectedTraces,
        requests,
        connectedRequests,
        linkedRequests,
        fragmentsPerRequest,
        services,
        brokenEdges,
        diagnoses,
        null);
  }

  /** The version of this build (the jar's manifest), or {@code dev}. */
  public static String buildVersion() {
    String v = AuditReport.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Services whose orphan rate is above {@code maxOrphanRate}. */
  public List<String> servicesAbove(double maxOrphanRate) {
    return services.entrySet().stream()
        .filter(e -> e.getValue().orphanRate() > maxOrphanRate)
        .map(Map.Entry::getKey)
        .toList();
  }
}
