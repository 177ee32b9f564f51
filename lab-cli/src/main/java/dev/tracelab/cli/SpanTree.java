// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli;

import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.SpanSpec;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Prints one trace as an indented tree: span id, parent id, service, kind, duration, name; and
 * orders the traces of one request by the flow, each labelled with its steps ({@code {1,2} {3}
 * {4,5} {6}} for all-broken).
 */
final class SpanTree {

  private SpanTree() {}

  /**
   * One trace of a request, labelled with the flow's steps it holds.
   *
   * @param steps the ids of the spec's listed spans found in this trace ({@code 1}..{@code n} for a
   *     lab flow), in flow order
   * @param unlisted how many of its spans the spec does not list
   */
  record Fragment(String traceId, List<ReceivedSpan> spans, List<String> steps, int unlisted) {

    /** {@code {4,5}}: the steps this trace holds. */
    String label() {
      return "{" + String.join(",", steps) + "}";
    }
  }

  /**
   * The traces of one request in flow order, each labelled with its steps: a received span is the
   * listed span of the same identity ({@link FlowSpec#spanOf}); the trace holding the earliest step
   * comes first, traces holding no listed span last (by their first start).
   */
  static List<Fragment> inFlowOrder(List<List<ReceivedSpan>> traces, FlowSpec spec) {
    record Ranked(Fragment fragment, int first, long start) {}
    List<Ranked> ranked = new ArrayList<>();
    for (List<ReceivedSpan> spans : traces) {
      if (spans.isEmpty()) {
        continue;
      }
      TreeSet<Integer> positions = new TreeSet<>();
      int unlisted = 0;
      for (ReceivedSpan span : spans) {
        SpanSpec listed = spec.spanOf(span);
        if (listed == null) {
          unlisted++;
        } else {
          positions.add(spec.indexOf(listed));
        }
      }
      List<String> steps = positions.stream().map(i -> spec.spans().get(i).id()).toList();
      long start = spans.stream().mapToLong(ReceivedSpan::startEpochNanos).min().orElseThrow();
      ranked.add(
          new Ranked(
              new Fragment(spans.get(0).traceId(), spans, steps, unlisted),
              positions.isEmpty() ? Integer.MAX_VALUE : positions.first(),
              start));
    }
    ranked.sort(
        Comparator.comparingInt(Ranked::first)
            .thenComparingLong(Ranked::start)
            .thenComparing(r -> r.fragment().traceId()));
    return ranked.stream().map(Ranked::fragment).toList();
  }

  /** {@link #render} under the fragment's label: {@code fragment {4,5} trace <id> (2 spans)}. */
  static List<String> render(Fragment f) {
    List<String> lines = new ArrayList<>(render(f.traceId(), f.spans()));
    lines.set(
        0,
        "fragment "
            + f.label()
            + "  trace "
            + f.traceId()
            + "  ("
            + count(f.spans().size())
            + (f.unlisted() == 0 ? "" : ", " + f.unlisted() + " not in the flow")
            + ")");
    return lines;
  }

  static List<String> render(String traceId, List<ReceivedSpan> spans) {
    List<String> lines = new ArrayList<>();
    lines.add("trace " + traceId + "  (" + count(spans.size()) + ")");
    lines.add(
        String.format(
            Locale.ROOT,
            "  %-16s  %-16s  %-13s  %-8s  %10s  %s",
            "SPAN ID",
            "PARENT ID",
            "SERVICE",
            "KIND",
            "DURATION",
            "NAME"));
    Set<String> ids = new HashSet<>();
    spans.forEach(s -> ids.add(s.spanId()));
    Map<String, List<ReceivedSpan>> children = new LinkedHashMap<>();
    List<ReceivedSpan> roots = new ArrayList<>();
    List<ReceivedSpan> sorted = new ArrayList<>(spans);
    sorted.sort(Comparator.comparingLong(ReceivedSpan::startEpochNanos));
    for (ReceivedSpan s : sorted) {
      if (s.parentSpanId() == null || !ids.contains(s.parentSpanId())) {
        roots.add(s);
      } else {
        children.computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
      }
    }
    for (ReceivedSpan root : roots) {
      print(root, 0, children, lines);
    }
    return lines;
  }

  private static String count(int spans) {
    return spans + (spans == 1 ? " span" : " spans");
  }

  private static void print(
      ReceivedSpan s, int depth, Map<String, List<ReceivedSpan>> children, List<String> lines) {
    String indent = depth == 0 ? "" : "   ".repeat(depth - 1) + "└─ ";
    lines.add(
        String.format(
            Locale.ROOT,
            "  %-16s  %-16s  %-13s  %-8s  %7.1f ms  %s%s%s",
            s.spanId(),
            s.parentSpanId() == null ? "-" : s.parentSpanId(),
            s.service(),
            s.kind(),
            s.durationMs(),
            indent,
            s.name(),
            s.error() ? "  [ERROR]" : ""));
    for (ReceivedSpan.Link link : s.links()) {
      lines.add(
          String.format(
              Locale.ROOT,
              "  %-16s  %-16s  %-13s  %-8s  %10s  %s   link -> span %s of trace %s",
              "",
              "",
              "",
              "",
              "",
              "   ".repeat(depth),
              link.spanId(),
              link.traceId()));
    }
    for (ReceivedSpan c : children.getOrDefault(s.spanId(), List.of())) {
      print(c, depth + 1, children, lines);
    }
  }

  /** The {@code exampleTrace} object of the report JSON. */
  static Map<String, Object> json(String traceId, List<ReceivedSpan> spans) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (ReceivedSpan s :
        spans.stream().sorted(Comparator.comparingLong(ReceivedSpan::startEpochNanos)).toList()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("spanId", s.spanId());
      m.put("parentSpanId", s.parentSpanId());
      m.put("service", s.service());
      m.put("kind", s.kind().name());
      m.put("name", s.name());
      m.put("durationMs", Math.round(s.durationMs() * 1000) / 1000.0);
      list.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("traceId", traceId);
    out.put("spans", list);
    return out;
  }
}
