package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.Hop;
import dev.tracelab.auditor.spec.SpanSpec;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks a request's traces against the shape a {@link FlowSpec} lists (docs/design.md §11.2). */
public final class FlowShape {

  private FlowShape() {}

  /**
   * A connected request: exactly one trace; with listed spans, exactly those, each the child of
   * its listed parent (the first may continue a caller's span); with a span count only, that many
   * spans, one root, every parent present.
   */
  public static boolean isConnected(List<AssembledTrace> fragments, FlowSpec spec) {
    if (fragments.size() != 1) {
      return false;
    }
    List<ReceivedSpan> spans = fragments.get(0).spans();
    if (!spec.hasShape()) {
      if (spec.spanCount() > 0 && spans.size() != spec.spanCount()) {
        return false;
      }
      Set<String> ids = new HashSet<>();
      spans.forEach(s -> ids.add(s.spanId()));
      int roots = 0;
      for (ReceivedSpan s : spans) {
        if (s.isRoot()) {
          roots++;
        } else if (!ids.contains(s.parentSpanId())) {
          return false;
        }
      }
      return roots == 1;
    }
    if (spans.size() != spec.spans().size()) {
      return false;
    }
    Map<String, ReceivedSpan> byId = match(spans, spec);
    if (byId == null) {
      return false;
    }
    for (SpanSpec expected : spec.spans()) {
      ReceivedSpan span = byId.get(expected.id());
      if (!expected.isRoot() && !byId.get(expected.parent()).spanId().equals(span.parentSpanId())) {
        return false;
      }
    }
    return true;
  }

  /**
   * A linked request (docs/design.md §8): several traces that together hold exactly the listed
   * spans, each the child of its listed parent in the same trace, or a root whose link points to
   * its listed parent in another trace across a hop that allows links. At least one link joins two
   * traces; a single trace is {@link #isConnected connected}, not linked.
   */
  public static boolean isLinked(List<AssembledTrace> fragments, FlowSpec spec) {
    if (fragments.size() < 2 || !spec.hasShape()) {
      return false;
    }
    List<ReceivedSpan> spans = new ArrayList<>();
    for (AssembledTrace fragment : fragments) {
      spans.addAll(fragment.spans());
    }
    Map<String, ReceivedSpan> byId = match(spans, spec);
    if (byId == null) {
      return false;
    }
    int roots = 0;
    for (SpanSpec expected : spec.spans()) {
      if (expected.isRoot()) {
        continue;
      }
      ReceivedSpan span = byId.get(expected.id());
      ReceivedSpan parent = byId.get(expected.parent());
      if (span.isRoot()) {
        Hop hop = spec.hop(parent, span);
        if (hop == null || !hop.link() || span.traceId().equals(parent.traceId())
            || !span.linksTo(parent.traceId(), parent.spanId())) {
          return false;
        }
        roots++;
      } else if (!span.traceId().equals(parent.traceId()) || !span.parentSpanId().equals(parent.spanId())) {
        return false;
      }
    }
    return roots == fragments.size() - 1;
  }

  /**
   * Every span of a request has arrived: its traces all closed and, late spans included, they
   * hold at least the spans one request has.
   */
  public static boolean allSpansArrived(List<AssembledTrace> traces, FlowSpec spec) {
    int spans = 0;
    for (AssembledTrace t : traces) {
      if (!t.isClosed()) {
        return false;
      }
      spans += t.spans().size() + t.lateSpans().size();
    }
    return spans >= spec.spanCount();
  }

  /** Maps each listed span's id to the one span with its identity; null if any is missing or doubled. */
  public static Map<String, ReceivedSpan> match(List<ReceivedSpan> spans, FlowSpec spec) {
    Map<String, ReceivedSpan> byId = new HashMap<>();
    for (ReceivedSpan span : spans) {
      SpanSpec listed = spec.spanOf(span);
      if (listed == null || byId.put(listed.id(), span) != null) {
        return null;
      }
    }
    return byId.size() == spec.spans().size() ? byId : null;
  }
}
