package dev.tracelab.testkit;

import dev.tracelab.auditor.spec.SpanSelector;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one request's traces, each waiting until it holds or its time is up. A failure
 * prints the request's traces as span trees and the auditor's report (broken edges, diagnoses).
 * Made by {@link AuditorAssert#request}.
 */
public final class RequestAssert extends AbstractAssert<RequestAssert, RequestSelector> {

  private final TraceAuditor auditor;
  private Duration timeout;

  RequestAssert(TraceAuditor auditor, RequestSelector selector, Duration timeout) {
    super(selector, RequestAssert.class);
    this.auditor = auditor;
    this.timeout = timeout;
  }

  /** Waits at most {@code timeout} for each following assertion. */
  public RequestAssert awaiting(Duration timeout) {
    this.timeout = AuditorAssert.positive(timeout);
    return this;
  }

  /**
   * The request is one trace, judged by the auditor: one root span, an entry point; no span whose
   * parent is missing; no call of it left unanswered on an edge the auditor found broken.
   */
  public RequestAssert isOneConnectedTrace() {
    return check(
        "to be one connected trace",
        request -> {
          List<String> problems = request.connectionProblems();
          return problems.isEmpty() ? null : "- " + String.join("\n  - ", problems);
        });
  }

  /** The request's traces hold exactly {@code expected} spans in all (late spans not counted). */
  public RequestAssert hasSpanCount(int expected) {
    return check(
        "to have " + SpanTrees.count(expected, "span"),
        request -> {
          String waiting = request.notJudged();
          if (waiting != null) {
            return waiting;
          }
          int spans = request.spanCount();
          return spans == expected
              ? null
              : "it has "
                  + spans
                  + " (in "
                  + SpanTrees.count(request.fragments().size(), "trace")
                  + ")";
        });
  }

  /** The request is exactly {@code expected} traces (2: one hop lost the context once). */
  public RequestAssert hasTraceCount(int expected) {
    return check(
        "to be " + SpanTrees.count(expected, "trace"),
        request -> {
          String waiting = request.notJudged();
          if (waiting != null) {
            return waiting;
          }
          int traces = request.fragments().size();
          return traces == expected ? null : "it is " + traces;
        });
  }

  /**
   * A trace of the request holds this chain of spans: the first matches its root, each next one a
   * child of the span before.
   *
   * @param spans {@code service}, {@code service:KIND} or {@code service:KIND:name}, e.g. {@code
   *     "frontend:SERVER", "frontend:CLIENT", "customer:SERVER"}
   */
  public RequestAssert hasPath(String... spans) {
    if (spans.length == 0) {
      throw new IllegalArgumentException("give at least one span of the path");
    }
    List<SpanSelector> path =
        Arrays.stream(spans).map(s -> SpanSelector.parse(Objects.requireNonNull(s))).toList();
    return check(
        "to have the path " + String.join(" -> ", spans), request -> request.pathProblem(path));
  }

  private RequestAssert check(String expectation, Function<Request, String> problem) {
    isNotNull();
    Settling settling = new Settling();
    Request[] last = {null};
    Optional<String> failure =
        Polling.await(
            timeout,
            () -> {
              Request request = Request.read(auditor, actual, settling);
              last[0] = request;
              return Optional.ofNullable(problem.apply(request));
            });
    if (failure.isPresent()) {
      StringBuilder sb =
          new StringBuilder("Expecting ")
              .append(actual)
              .append(' ')
              .append(expectation)
              .append(" (waited ")
              .append(Failures.format(timeout))
              .append("), but:\n  ")
              .append(failure.get())
              .append("\n");
      if (last[0] != null) {
        sb.append(last[0].describe());
      }
      throw Failures.failure(info, sb.toString().stripTrailing());
    }
    return this;
  }
}
