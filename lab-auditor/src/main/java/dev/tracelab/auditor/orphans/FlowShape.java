package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks a request's traces against the flow of docs/design.md §2. */
public final class FlowShape {

  private FlowShape() {}

  /**
   * A connected request: exactly one trace, holding exactly the six expected spans, each the
   * child of the span docs/design.md §2 names (the first may continue a caller's span).
   */
  public static boolean isConnected(List<AssembledTrace> fragments) {
    return isConnected(fragments, Flow.JAVA);
  }

  /** {@link #isConnected(List)} against {@code flow}, the expected trace of a run's implementations. */
  public static boolean isConnected(List<AssembledTrace> fragments, ExpectedFlow flow) {
    if (fragments.size() != 1) {
      return false;
    }
    List<ReceivedSpan> spans = fragments.get(0).spans();
    if (spans.size() != flow.size()) {
      return false;
    }
    Map<Integer, ReceivedSpan> byStep = matchSteps(spans, flow);
    if (byStep == null) {
      return false;
    }
    for (ExpectedSpan expected : flow.spans()) {
      ReceivedSpan span = byStep.get(expected.step());
      if (!expected.isRoot()
          && !byStep.get(expected.parentStep()).spanId().equals(span.parentSpanId())) {
        return false;
      }
    }
    return true;
  }

  /**
   * A linked request (docs/design.md §8): several traces that together hold exactly the flow's
   * spans, each span either the child of its expected parent in the same trace or a root whose link
   * points to its expected parent (the previous step) in another trace. At least one link joins
   * two traces; a single trace is {@link #isConnected connected}, not linked.
   */
  public static boolean isLinked(List<AssembledTrace> fragments, ExpectedFlow flow) {
    if (fragments.size() < 2) {
      return false;
    }
    List<ReceivedSpan> spans = new ArrayList<>();
    for (AssembledTrace fragment : fragments) {
      spans.addAll(fragment.spans());
    }
    Map<Integer, ReceivedSpan> byStep = matchSteps(spans, flow);
    if (byStep == null) {
      return false;
    }
    int roots = 0;
    for (ExpectedSpan expected : flow.spans()) {
      ReceivedSpan span = byStep.get(expected.step());
      if (expected.isRoot()) {
        continue;
      }
      ReceivedSpan parent = byStep.get(expected.parentStep());
      if (span.isRoot()) {
        if (span.traceId().equals(parent.traceId())
            || !span.linksTo(parent.traceId(), parent.spanId())) {
          return false;
        }
        roots++;
      } else if (!span.traceId().equals(parent.traceId())
          || !span.parentSpanId().equals(parent.spanId())) {
        return false;
      }
    }
    return roots == fragments.size() - 1;
  }

  /**
   * The span {@code root} links to when that span is its expected predecessor (the span of the
   * previous step of {@code flow}) in another of the request's {@code fragments}; null otherwise.
   */
  public static ReceivedSpan linkedPredecessor(
      ReceivedSpan root, List<AssembledTrace> fragments, ExpectedFlow flow) {
    ExpectedSpan expected = flow.stepOf(root.service(), root.kind(), root.name());
    if (expected == null || expected.isRoot()) {
      return null;
    }
    ExpectedSpan predecessor = flow.step(expected.parentStep());
    for (AssembledTrace fragment : fragments) {
      if (fragment.traceId().equals(root.traceId())) {
        continue;
      }
      for (ReceivedSpan s : fragment.spans()) {
        if (predecessor.matches(s.service(), s.kind(), s.name())
            && root.linksTo(s.traceId(), s.spanId())) {
          return s;
        }
      }
    }
    return null;
  }

  /**
   * Every span of a request has arrived: its traces all closed and, late spans included, they
   * hold at least the flow's six spans (however lineage split them).
   */
  public static boolean allSpansArrived(List<AssembledTrace> traces) {
    return allSpansArrived(traces, Flow.JAVA);
  }

  /** {@link #allSpansArrived(List)} for {@code flow}: at least as many spans as it expects. */
  public static boolean allSpansArrived(List<AssembledTrace> traces, ExpectedFlow flow) {
    int spans = 0;
    for (AssembledTrace t : traces) {
      if (!t.isClosed()) {
        return false;
      }
      spans += t.spans().size() + t.lateSpans().size();
    }
    return spans >= flow.size();
  }

  /** Maps each flow step to the one span with its identity; null if any is missing or doubled. */
  public static Map<Integer, ReceivedSpan> matchSteps(List<ReceivedSpan> spans) {
    return matchSteps(spans, Flow.JAVA);
  }

  /** Maps each step of {@code flow} to the one span with its identity; null if any is missing or doubled. */
  public static Map<Integer, ReceivedSpan> matchSteps(List<ReceivedSpan> spans, ExpectedFlow flow) {
    Map<Integer, ReceivedSpan> byStep = new HashMap<>();
    for (ReceivedSpan span : spans) {
      ExpectedSpan step = flow.stepOf(span.service(), span.kind(), span.name());
      if (step == null || byStep.put(step.step(), span) != null) {
        return null;
      }
    }
    return byStep.size() == flow.size() ? byStep : null;
  }

  /** The flow step a span stands for, or null. */
  public static ExpectedSpan stepOf(ReceivedSpan span) {
    for (ExpectedSpan e : Flow.SPANS) {
      if (e.matches(span.service(), span.kind(), span.name())) {
        return e;
      }
    }
    return null;
  }
}
