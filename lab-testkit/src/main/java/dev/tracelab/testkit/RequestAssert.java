// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.spec.SpanSelector;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
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
  private String rootParent; // the caller's span the request continues, not exported; or null

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
   * The request continues a span that is not exported (a caller's {@code traceparent}): the first
   * span of the spec's shape has this parent instead of none, for the following {@link
   * #matchesSpec()} assertions.
   *
   * @param parentSpanId 16 hex digits
   */
  public RequestAssert continuing(String parentSpanId) {
    Objects.requireNonNull(parentSpanId, "parentSpanId");
    if (!parentSpanId.matches("[0-9a-fA-F]{16}")) {
      throw new IllegalArgumentException("a span id is 16 hex digits: '" + parentSpanId + "'");
    }
    this.rootParent = parentSpanId.toLowerCase(java.util.Locale.ROOT);
    return this;
  }

  /**
   * The request is exactly the auditor's flow spec's spans in one trace, judged: the spans the spec
   * lists (no more, no fewer), the first one its root (without a parent, or {@link #continuing} a
   * caller's span), each other one a child of the span the spec names as its parent; no span has a
   * link. Selected by trace id, the request's trace is that one.
   *
   * @throws IllegalStateException when the spec lists no spans ({@code spans:} in a spec file)
   */
  public RequestAssert matchesSpec() {
    return matchesShape(List.of(), List.of());
  }

  /**
   * The request is the spec's spans with the context lost at these spans: each starts a new trace
   * of its own, without a parent and without a link, and holds the spec spans below it up to the
   * next such span; every trace is otherwise as {@link #matchesSpec()} says. A hop the caller did
   * not inject or the callee did not extract, named by its callee's span.
   *
   * @param spans {@code service[:KIND[:name]]}, each naming exactly one span of the spec (not the
   *     first), e.g. {@code "customer:SERVER"}
   * @throws IllegalArgumentException when a name matches no span of the spec, several, or its first
   */
  public RequestAssert matchesSpecBrokenAt(String... spans) {
    return matchesShape(List.of(spans), List.of());
  }

  /**
   * The request is the spec's spans with a span link instead of a parent at these spans: each
   * starts a new trace whose first span has no parent and exactly one link, to the span the spec
   * names as its parent (messaging that starts a new trace per message, as OpenTelemetry's
   * messaging conventions allow); every trace is otherwise as {@link #matchesSpec()} says.
   *
   * @param spans {@code service[:KIND[:name]]}, each naming exactly one span of the spec (not the
   *     first), e.g. {@code "billing:CONSUMER"}
   */
  public RequestAssert matchesSpecLinkedAt(String... spans) {
    return matchesShape(List.of(), List.of(spans));
  }

  private RequestAssert matchesShape(List<String> brokenAt, List<String> linkedAt) {
    isNotNull();
    SpecShape shape = SpecShape.of(auditor.spec(), brokenAt, linkedAt, rootParent);
    return check(
        "to be " + shape.describe(),
        request -> {
          String waiting = request.notJudged();
          if (waiting != null) {
            return waiting;
          }
          List<String> problems = shape.problems(request.fragments(), actual.traceId());
          return problems.isEmpty() ? null : "- " + String.join("\n  - ", problems);
        });
  }

  /**
   * Once the request's traces are judged, they satisfy {@code requirements} (AssertJ assertions on
   * them, retried until they pass or the time is up): the traces the selector names first, then
   * those found from them (sharing the correlation value, or the other end of a broken edge).
   */
  public RequestAssert hasTracesSatisfying(Consumer<List<AuditedTrace>> requirements) {
    Objects.requireNonNull(requirements, "requirements");
    return check(
        "to have traces satisfying the requirements",
        request -> {
          String waiting = request.notJudged();
          if (waiting != null) {
            return waiting;
          }
          try {
            requirements.accept(request.fragments());
            return null;
          } catch (AssertionError e) {
            return "- " + String.valueOf(e.getMessage()).strip().replace("\n", "\n    ");
          }
        });
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
    Optional<Polling.Failure> failure =
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
              .append(' ')
              .append(failure.get().waited(timeout))
              .append(", but:\n  ")
              .append(failure.get().message())
              .append("\n");
      if (last[0] != null) {
        sb.append(last[0].describe());
      }
      throw Failures.failure(info, sb.toString().stripTrailing());
    }
    return this;
  }
}
