// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.spec.FlowSpec;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * The shape assertions of {@link RequestAssert} on one request's traces you read yourself — from
 * Zipkin, Jaeger, Tempo or a file — against a flow spec; nothing waits (the traces are given). Made
 * by {@link TracelabAssertions#assertThatTraces}.
 *
 * <pre>{@code
 * assertThatTraces(List.of(new AuditedTrace(traceId, true, spansFromZipkin, List.of())), spec)
 *     .matchesSpec();
 * }</pre>
 */
public final class TracesAssert extends AbstractAssert<TracesAssert, List<AuditedTrace>> {

  private final FlowSpec spec;
  private String rootParent;

  TracesAssert(List<AuditedTrace> traces, FlowSpec spec) {
    super(List.copyOf(traces), TracesAssert.class);
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  /** As {@link RequestAssert#continuing}: the first span has this parent instead of none. */
  public TracesAssert continuing(String parentSpanId) {
    this.rootParent =
        Objects.requireNonNull(parentSpanId, "parentSpanId").toLowerCase(java.util.Locale.ROOT);
    return this;
  }

  /** As {@link RequestAssert#matchesSpec()}. */
  public TracesAssert matchesSpec() {
    return matches(List.of(), List.of());
  }

  /** As {@link RequestAssert#matchesSpecBrokenAt}. */
  public TracesAssert matchesSpecBrokenAt(String... spans) {
    return matches(List.of(spans), List.of());
  }

  /** As {@link RequestAssert#matchesSpecLinkedAt}. */
  public TracesAssert matchesSpecLinkedAt(String... spans) {
    return matches(List.of(), List.of(spans));
  }

  private TracesAssert matches(List<String> brokenAt, List<String> linkedAt) {
    isNotNull();
    SpecShape shape = SpecShape.of(spec, brokenAt, linkedAt, rootParent);
    List<String> problems;
    try {
      problems = shape.problems(actual, null);
    } catch (Polling.Final e) {
      problems = List.of(e.getMessage());
    }
    if (problems.isEmpty()) {
      return this;
    }
    StringBuilder sb =
        new StringBuilder("Expecting ")
            .append(SpanTrees.count(actual.size(), "trace"))
            .append(" to be ")
            .append(shape.describe())
            .append(", but:\n  - ")
            .append(String.join("\n  - ", problems))
            .append("\nThe traces, as span trees (service KIND 'name' [span id, parent id]):\n");
    for (AuditedTrace t : actual) {
      SpanTrees.appendTrace(sb, t, spec, "  ");
    }
    throw Failures.failure(info, sb.toString().stripTrailing());
  }
}
