// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.orphans.AuditReport;
import dev.tracelab.auditor.orphans.BrokenEdge;
import dev.tracelab.auditor.orphans.ScenarioReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on what an auditor judged, each waiting until it holds or its time is up (default
 * {@value #DEFAULT_TIMEOUT_SECONDS} s, {@link #awaiting}). The assertions on the whole run
 * (orphans, rates, edges, counts) are checked once the auditor has judged every trace it received;
 * a failure prints the report with each broken edge's example pair as span trees. Made by {@link
 * TracelabAssertions#assertThat(TraceAuditor)}.
 */
public final class AuditorAssert extends AbstractAssert<AuditorAssert, TraceAuditor> {

  /** How long an assertion waits when {@link #awaiting} is not called. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 30;

  private Duration timeout = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);

  AuditorAssert(TraceAuditor auditor) {
    super(auditor, AuditorAssert.class);
  }

  /** Waits at most {@code timeout} for each following assertion (and those of {@link #request}). */
  public AuditorAssert awaiting(Duration timeout) {
    this.timeout = positive(timeout);
    return this;
  }

  /**
   * Assertions on one request, found by {@link TracelabAssertions#byTraceId}, {@link
   * TracelabAssertions#byTraceresponse} or {@link TracelabAssertions#byAttribute}.
   *
   * @throws IllegalArgumentException when the auditor cannot find requests that way (an attribute
   *     that is not its correlation attribute)
   */
  public RequestAssert request(RequestSelector selector) {
    isNotNull();
    Objects.requireNonNull(selector, "selector");
    selector.requireSupportedBy(actual);
    return new RequestAssert(actual, selector, timeout);
  }

  /** {@code service} sent spans in this run, and none of them is an orphan. */
  public AuditorAssert hasNoOrphans(String service) {
    Objects.requireNonNull(service, "service");
    return checkSettled(
        "to find no orphan span of " + service,
        report -> {
          ScenarioReport.ServiceFigures f = report.services().get(service);
          if (f == null) {
            return service
                + " sent no span in this run (services: "
                + report.services().keySet()
                + ")";
          }
          return f.orphanSpans() == 0
              ? null
              : service
                  + " has "
                  + SpanTrees.count(f.orphanSpans(), "orphan span")
                  + " of "
                  + f.spans()
                  + " ("
                  + f.orphanRoots()
                  + " orphan roots, "
                  + f.missingParentOrphans()
                  + " missing parents)";
        });
  }

  /** Every service's orphan rate (orphan spans / spans, this run) is at most {@code maxRate}. */
  public AuditorAssert orphanRateAtMost(double maxRate) {
    if (!(maxRate >= 0 && maxRate <= 1)) {
      throw new IllegalArgumentException("an orphan rate is between 0 and 1: " + maxRate);
    }
    return checkSettled(
        "to find every service's orphan rate at most " + maxRate,
        report -> {
          List<String> over = new ArrayList<>();
          for (Map.Entry<String, ScenarioReport.ServiceFigures> e : report.services().entrySet()) {
            if (e.getValue().orphanRate() > maxRate) {
              over.add(
                  e.getKey() + " " + String.format(Locale.ROOT, "%.4f", e.getValue().orphanRate()));
            }
          }
          return over.isEmpty() ? null : "over it: " + String.join(", ", over);
        });
  }

  /** The auditor found the edge {@code from -> to} broken (any boundary, any count). */
  public AuditorAssert hasBrokenEdge(String from, String to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    return check(
        "to find the broken edge " + from + " -> " + to,
        false,
        report -> edge(report, from, to).isPresent() ? null : edges(report));
  }

  /**
   * The auditor found the edge {@code from -> to} broken by exactly {@code count} calls, all
   * judged.
   */
  public AuditorAssert hasBrokenEdge(String from, String to, long count) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    return checkSettled(
        "to find the broken edge " + from + " -> " + to + " with " + SpanTrees.count(count, "call"),
        report -> {
          Optional<BrokenEdge> edge = edge(report, from, to);
          if (edge.isEmpty()) {
            return edges(report);
          }
          return edge.get().count() == count
              ? null
              : edge.get().label() + " has " + edge.get().count();
        });
  }

  /** The auditor found no broken edge, once every trace it received is judged. */
  public AuditorAssert hasNoBrokenEdge() {
    return checkSettled(
        "to find no broken edge", report -> report.brokenEdges().isEmpty() ? null : edges(report));
  }

  /** The auditor judged exactly {@code expected} traces in this run. */
  public AuditorAssert hasTraceCount(long expected) {
    return checkSettled(
        "to judge " + SpanTrees.count(expected, "trace"),
        report -> report.traces() == expected ? null : "it judged " + report.traces());
  }

  /**
   * Exactly {@code expected} traces of this run are connected (an entry-point root, no orphan, no
   * broken call).
   */
  public AuditorAssert hasConnectedTraceCount(long expected) {
    return checkSettled(
        "to find " + SpanTrees.count(expected, "connected trace"),
        report ->
            report.connectedTraces() == expected
                ? null
                : "it found "
                    + report.connectedTraces()
                    + " of "
                    + SpanTrees.count(report.traces(), "trace"));
  }

  private static Optional<BrokenEdge> edge(AuditReport report, String from, String to) {
    return report.brokenEdges().stream()
        .filter(e -> e.from().equals(from) && e.to().equals(to))
        .findFirst();
  }

  private static String edges(AuditReport report) {
    return report.brokenEdges().isEmpty()
        ? "it found no broken edge"
        : "it found "
            + String.join(
                ", ",
                report.brokenEdges().stream().map(e -> e.label() + " x" + e.count()).toList());
  }

  private AuditorAssert checkSettled(String expectation, Function<AuditReport, String> problem) {
    return check(expectation, true, problem);
  }

  /**
   * Polls the report until {@code problem} finds none; with {@code settled}, only once the auditor
   * judged every trace it received (a verdict on the whole run must not read a partial one).
   */
  private AuditorAssert check(
      String expectation, boolean settled, Function<AuditReport, String> problem) {
    isNotNull();
    Settling settling = new Settling();
    AuditReport[] last = {null};
    Optional<Polling.Failure> failure =
        Polling.await(
            timeout,
            () -> {
              int inFlight = actual.tracesInFlight();
              AuditReport report = actual.report();
              last[0] = report;
              boolean done = settling.settled(inFlight, report.traces());
              if (settled && report.traces() == 0) {
                return Optional.of(
                    "no trace was judged in this run"
                        + (inFlight > 0
                            ? " (" + SpanTrees.count(inFlight, "trace") + " in flight)"
                            : ""));
              }
              if (settled && !done) {
                return Optional.of(
                    "the auditor had "
                        + SpanTrees.count(inFlight, "trace")
                        + " in flight: not every trace"
                        + " it received was judged");
              }
              return Optional.ofNullable(problem.apply(report));
            });
    if (failure.isPresent()) {
      StringBuilder sb =
          new StringBuilder("Expecting the auditor ")
              .append(expectation)
              .append(' ')
              .append(failure.get().waited(timeout))
              .append(", but:\n  ")
              .append(failure.get().message())
              .append('\n');
      if (last[0] != null) {
        SpanTrees.appendReport(sb, last[0], actual);
      }
      throw Failures.failure(info, sb.toString().stripTrailing());
    }
    return this;
  }

  static Duration positive(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the time to wait must be positive: " + timeout);
    }
    return timeout;
  }
}
