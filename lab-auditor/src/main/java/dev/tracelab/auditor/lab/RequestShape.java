// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.lab;

import dev.tracelab.auditor.spec.SpanSpec;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shape of one request, independent of ids and timing: each of its traces as a tree of {@code
 * service KIND name} nodes, children in a canonical order. Two requests with the same shape have
 * the same spans under the same parents in the same number of traces. A span whose parent is not in
 * its trace is a root marked {@code ^} (a missing-parent orphan). Used to compare what the lab
 * measures with the shapes its flow model describes ({@link LabFlowSpecs#agentShape}).
 *
 * @param traces one canonical tree per trace, sorted
 */
public record RequestShape(List<String> traces) {

  public RequestShape {
    traces = traces.stream().sorted().toList();
  }

  /** The measured shape of a request: the traces that carry its correlation attribute. */
  public static RequestShape measured(List<AssembledTrace> traces) {
    List<List<ReceivedSpan>> spans = new ArrayList<>();
    for (AssembledTrace t : traces) {
      List<ReceivedSpan> all = new ArrayList<>(t.spans());
      all.addAll(t.lateSpans());
      spans.add(all);
    }
    return ofSpans(spans);
  }

  /** The shape of a request given as the spans of each of its traces. */
  public static RequestShape ofSpans(List<List<ReceivedSpan>> traces) {
    return new RequestShape(traces.stream().map(RequestShape::treeOfSpans).toList());
  }

  /** A described shape: one list of spans per trace, each span's parent an id in its list. */
  public static RequestShape described(List<List<SpanSpec>> traces) {
    return new RequestShape(traces.stream().map(RequestShape::treeOfSpecs).toList());
  }

  /** How many spans the request's traces hold. */
  public int spans() {
    int n = 0;
    for (String tree : traces) {
      n += lines(List.of(tree)).size() - 1;
    }
    return n;
  }

  /** How many traces the request is. */
  public int fragments() {
    return traces.size();
  }

  /** True when some span with this identity is the root of its trace (an orphan or entry root). */
  public boolean hasRoot(String service, String kind, String name) {
    String label = label(service, kind, name);
    for (String tree : traces) {
      for (String root : roots(tree)) {
        if (root.equals(label) || root.equals("^" + label)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The shape as indented lines, one span per line (for reports and failing tests). */
  public List<String> lines() {
    return lines(traces);
  }

  private static List<String> lines(List<String> traces) {
    List<String> lines = new ArrayList<>();
    int n = 0;
    for (String tree : traces) {
      lines.add("trace " + (++n) + ":");
      int depth = 1;
      StringBuilder label = new StringBuilder();
      for (int i = 0; i < tree.length(); i++) {
        char c = tree.charAt(i);
        if (c == '[' || c == ']' || c == '|' || c == '+') {
          if (label.length() > 0) {
            lines.add("  ".repeat(depth) + label.toString().trim());
            label.setLength(0);
          }
          if (c == '[') {
            depth++;
          } else if (c == ']') {
            depth--;
          }
        } else {
          label.append(c);
        }
      }
      if (label.length() > 0) {
        lines.add("  ".repeat(depth) + label.toString().trim());
      }
    }
    return lines;
  }

  @Override
  public String toString() {
    return String.join(" || ", traces);
  }

  private static List<String> roots(String tree) {
    List<String> roots = new ArrayList<>();
    int depth = 0;
    StringBuilder label = new StringBuilder();
    for (int i = 0; i < tree.length(); i++) {
      char c = tree.charAt(i);
      if (c == '[') {
        if (depth == 0) {
          roots.add(label.toString().trim());
        }
        depth++;
        label.setLength(0);
      } else if (c == ']') {
        depth--;
      } else if (c == '+' && depth == 0) {
        if (label.length() > 0 && !label.toString().isBlank()) {
          roots.add(label.toString().trim());
        }
        label.setLength(0);
      } else if (depth == 0) {
        label.append(c);
      }
    }
    if (!label.toString().isBlank()) {
      roots.add(label.toString().trim());
    }
    return roots;
  }

  private static String label(String service, String kind, String name) {
    return service + " " + kind + " " + name;
  }

  private static String treeOfSpans(List<ReceivedSpan> spans) {
    Set<String> ids = new HashSet<>();
    spans.forEach(s -> ids.add(s.spanId()));
    Map<String, List<ReceivedSpan>> children = new HashMap<>();
    List<String> roots = new ArrayList<>();
    for (ReceivedSpan s : spans) {
      if (s.parentSpanId() != null && ids.contains(s.parentSpanId())) {
        children.computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
      }
    }
    for (ReceivedSpan s : spans) {
      if (s.parentSpanId() == null || !ids.contains(s.parentSpanId())) {
        roots.add((s.parentSpanId() == null ? "" : "^") + render(s, children));
      }
    }
    roots.sort(Comparator.naturalOrder());
    return String.join(" + ", roots);
  }

  private static String render(ReceivedSpan s, Map<String, List<ReceivedSpan>> children) {
    List<String> kids = new ArrayList<>();
    for (ReceivedSpan c : children.getOrDefault(s.spanId(), List.of())) {
      kids.add(render(c, children));
    }
    return node(label(s.service(), s.kind().name(), s.name()), kids);
  }

  private static String treeOfSpecs(List<SpanSpec> spans) {
    Map<String, List<SpanSpec>> children = new HashMap<>();
    Set<String> ids = new HashSet<>();
    spans.forEach(s -> ids.add(s.id()));
    List<String> roots = new ArrayList<>();
    for (SpanSpec s : spans) {
      if (s.parent() != null) {
        if (!ids.contains(s.parent())) {
          throw new IllegalArgumentException("span " + s + ": no parent " + s.parent());
        }
        children.computeIfAbsent(s.parent(), k -> new ArrayList<>()).add(s);
      }
    }
    for (SpanSpec s : spans) {
      if (s.parent() == null) {
        roots.add(renderSpec(s, children));
      }
    }
    roots.sort(Comparator.naturalOrder());
    return String.join(" + ", roots);
  }

  private static String renderSpec(SpanSpec s, Map<String, List<SpanSpec>> children) {
    List<String> kids = new ArrayList<>();
    for (SpanSpec c : children.getOrDefault(s.id(), List.of())) {
      kids.add(renderSpec(c, children));
    }
    return node(label(s.service(), s.kind().name(), s.name()), kids);
  }

  private static String node(String label, List<String> kids) {
    if (kids.isEmpty()) {
      return label;
    }
    kids.sort(Comparator.naturalOrder());
    return label + "[" + String.join("|", kids) + "]";
  }
}
