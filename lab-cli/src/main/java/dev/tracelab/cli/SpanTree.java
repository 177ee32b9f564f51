package dev.tracelab.cli;

import dev.tracelab.auditor.trace.ReceivedSpan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Prints one trace as an indented tree: span id, parent id, service, kind, duration, name. */
final class SpanTree {

  private SpanTree() {}

  static List<String> render(String traceId, List<ReceivedSpan> spans) {
    List<String> lines = new ArrayList<>();
    lines.add("trace " + traceId + "  (" + spans.size() + " span" + (spans.size() == 1 ? "" : "s") + ")");
    lines.add(String.format(Locale.ROOT, "  %-16s  %-16s  %-13s  %-8s  %10s  %s",
        "SPAN ID", "PARENT ID", "SERVICE", "KIND", "DURATION", "NAME"));
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

  private static void print(ReceivedSpan s, int depth, Map<String, List<ReceivedSpan>> children, List<String> lines) {
    String indent = depth == 0 ? "" : "   ".repeat(depth - 1) + "└─ ";
    lines.add(String.format(Locale.ROOT, "  %-16s  %-16s  %-13s  %-8s  %7.1f ms  %s%s%s",
        s.spanId(), s.parentSpanId() == null ? "-" : s.parentSpanId(), s.service(), s.kind(),
        s.durationMs(), indent, s.name(), s.error() ? "  [ERROR]" : ""));
    for (ReceivedSpan.Link link : s.links()) {
      lines.add(String.format(Locale.ROOT, "  %-16s  %-16s  %-13s  %-8s  %10s  %s   link -> span %s of trace %s",
          "", "", "", "", "", "   ".repeat(depth), link.spanId(), link.traceId()));
    }
    for (ReceivedSpan c : children.getOrDefault(s.spanId(), List.of())) {
      print(c, depth + 1, children, lines);
    }
  }

  /** The {@code exampleTrace} object of the report JSON. */
  static Map<String, Object> json(String traceId, List<ReceivedSpan> spans) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (ReceivedSpan s : spans.stream().sorted(Comparator.comparingLong(ReceivedSpan::startEpochNanos)).toList()) {
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
