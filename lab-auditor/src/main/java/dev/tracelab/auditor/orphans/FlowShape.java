package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import dev.tracelab.flow.Flow;
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
   * Every span of a request has arrived: its traces all closed and, late spans included, they
   * hold at least the flow's six spans (however lineage split them).
   */
  public static boolean allSpansArrived(List<AssembledTrace> traces) {
    int spans = 0;
    for (AssembledTrace t : traces) {
      if (!t.isClosed()) {
        return false;
      }
      spans += t.spans().size() + t.lateSpans().size();
    }
    return spans >= Flow.SPANS.size();
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
