// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import java.util.List;
import java.util.Map;

/**
 * One run's measured figures with the run's labels; serialises to the scenario object of
 * docs/design.md §5. A request is connected (one trace), linked (several traces joined by links
 * along the flow, docs/design.md §8) or neither (shattered: its fragments hold orphans). {@code
 * name}, {@code variants}, {@code implementations}, {@code mesh} and {@code instrumentation}
 * ({@code sdk}|{@code agent}, docs/design.md §14) are labels the run was started with ({@link
 * RunSetup}); the figures come from the run's flow spec alone.
 */
public record ScenarioReport(
    String name,
    Map<String, String> variants,
    Map<String, String> implementations,
    boolean mesh,
    String instrumentation,
    int requests,
    int connectedRequests,
    double connectedRate,
    int linkedRequests,
    double linkedRate,
    double fragmentsPerRequest,
    Map<String, ServiceFigures> services,
    List<DiagnosisCount> diagnoses,
    List<BrokenEdge> brokenEdges) {

  /** A report of a run on the services' own SDKs ({@code "instrumentation": "sdk"}). */
  public ScenarioReport(
      String name,
      Map<String, String> variants,
      Map<String, String> implementations,
      boolean mesh,
      int requests,
      int connectedRequests,
      double connectedRate,
      int linkedRequests,
      double linkedRate,
      double fragmentsPerRequest,
      Map<String, ServiceFigures> services,
      List<DiagnosisCount> diagnoses,
      List<BrokenEdge> brokenEdges) {
    this(
        name,
        variants,
        implementations,
        mesh,
        "sdk",
        requests,
        connectedRequests,
        connectedRate,
        linkedRequests,
        linkedRate,
        fragmentsPerRequest,
        services,
        diagnoses,
        brokenEdges);
  }

  public record ServiceFigures(
      long spans,
      long orphanSpans,
      long orphanRoots,
      long missingParentOrphans,
      double orphanRate) {}

  public record DiagnosisCount(
      String boundary, String service, String span, long count, String fix) {}

  /** Services whose orphan rate is above {@code maxOrphanRate}. */
  public List<String> servicesAbove(double maxOrphanRate) {
    return services.entrySet().stream()
        .filter(e -> e.getValue().orphanRate() > maxOrphanRate)
        .map(Map.Entry::getKey)
        .toList();
  }
}
