// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.Hop;
import dev.tracelab.auditor.spec.SpanSpec;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks a request's traces against the shape a {@link FlowSpec} lists (docs/design.md §11.2). */
public final class FlowShape {

  private FlowShape() {}

  /**
   * A connected request: exactly one trace; with listed spans, exactly those, each the child of its
   * listed parent (the first may continue a caller's span); with a span count only, that many
   * spans, one root, every parent present.
   */
  public static boolean isConnected(List<AssembledTrace> fragments, FlowSpec spec) {
    if (fragments.size() != 1) {
      return false;
    }
    AssembledTrace trace = fragments.get(0);
    List<ReceivedSpan> spans = trace.spans();
    if (!spec.hasShape()) {
      if (spec.spanCount() > 0 && spans.size() != spec.spanCount()) {
        return false;
      }
      int roots = 0;
      for (ReceivedSpan s : spans) {
        if (s.isRoot()) {
          roots++;
        } else if (!trace.hasSpan(s.parentSpanId())) {
          return false;
        }
      }
      return roots == 1;
    }
    if (spans.size() != spec.spans().size()) {
      return false;
    }
    Shape shape = Shape.of(spec.spans());
    if (shape.parents != null) {
      return connected(spans, spec.spans(), shape.parents);
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
   * {@link #isConnected}'s test on a listed shape whose span ids are unique and whose parents are
   * listed, by position instead of through a map of ids: each listed span matched by exactly one
   * span (the first listed span with its identity, as {@link FlowSpec#spanOf}), each the child of
   * its listed parent.
   */
  private static boolean connected(List<ReceivedSpan> spans, List<SpanSpec> listed, int[] parents) {
    int n = listed.size();
    ReceivedSpan[] byPosition = new ReceivedSpan[n];
    for (ReceivedSpan span : spans) {
      int at = -1;
      for (int i = 0; i < n; i++) {
        if (listed.get(i).matches(span)) {
          at = i;
          break;
        }
      }
      if (at < 0 || byPosition[at] != null) {
        return false;
      }
      byPosition[at] = span;
    }
    for (int i = 0; i < n; i++) {
      if (parents[i] >= 0
          && !byPosition[parents[i]].spanId().equals(byPosition[i].parentSpanId())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The position of each listed span's parent (-1 for a root), when the listed ids are unique and
   * every parent is listed; else null (the map of ids decides). Kept for the last shape asked.
   */
  private record Shape(List<SpanSpec> spans, int[] parents) {
    private static volatile Shape last = new Shape(List.of(), null);

    static Shape of(List<SpanSpec> spans) {
      Shape s = last;
      if (s.spans != spans) {
        s = new Shape(spans, parents(spans));
        last = s;
      }
      return s;
    }

    private static int[] parents(List<SpanSpec> spans) {
      Map<String, Integer> positions = new HashMap<>();
      for (int i = 0; i < spans.size(); i++) {
        if (positions.put(spans.get(i).id(), i) != null) {
          return null;
        }
      }
      int[] parents = new int[spans.size()];
      for (int i = 0; i < spans.size(); i++) {
        SpanSpec s = spans.get(i);
        Integer p = s.isRoot() ? Integer.valueOf(-1) : positions.get(s.parent());
        if (p == null) {
          return null;
        }
        parents[i] = p;
      }
      return parents;
    }
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
        if (hop == null
            || !hop.link()
            || span.traceId().equals(parent.traceId())
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
   * Every span of a request has arrived: its traces all closed and, late spans included, they hold
   * at least the spans one request has.
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

  /**
   * Maps each listed span's id to the one span with its identity; null if any is missing or
   * doubled.
   */
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
