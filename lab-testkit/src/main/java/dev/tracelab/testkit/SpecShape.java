// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.testkit;

import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.SpanSelector;
import dev.tracelab.auditor.spec.SpanSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The exact traces one request must be by the flow spec's spans (docs/design.md §11.1): the spans
 * the spec lists, each the child of its spec parent, in one trace — or, where the request starts a
 * new trace at a span (a hop that broke, or one crossed by a span link), in the fragments that
 * follow from it: each of those spans the root of its own trace, with no parent, or with exactly
 * one link to the span that is its spec parent when the hop is a linked one.
 */
final class SpecShape {

  private final FlowSpec spec;
  private final Set<SpanSpec> broken;
  private final Set<SpanSpec> linked;
  private final String rootParent;

  /** The spec span each listed span's trace starts at. */
  private final Map<SpanSpec, SpanSpec> startOf = new HashMap<>();

  /** The starts of the expected traces, in spec order, with their spans. */
  private final Map<SpanSpec, List<SpanSpec>> fragments = new LinkedHashMap<>();

  private SpecShape(FlowSpec spec, Set<SpanSpec> broken, Set<SpanSpec> linked, String rootParent) {
    this.spec = spec;
    this.broken = broken;
    this.linked = linked;
    this.rootParent = rootParent;
    for (SpanSpec s : spec.spans()) {
      SpanSpec start = start(s, 0);
      startOf.put(s, start);
      fragments.computeIfAbsent(start, k -> new ArrayList<>()).add(s);
    }
  }

  /**
   * The shape of {@code spec} with new traces at the spans {@code brokenAt} and {@code linkedAt}
   * name.
   *
   * @throws IllegalStateException when the spec lists no spans
   * @throws IllegalArgumentException when a selector names no span of the spec, several, or its
   *     first
   */
  static SpecShape of(
      FlowSpec spec, List<String> brokenAt, List<String> linkedAt, String rootParent) {
    if (!spec.hasShape()) {
      throw new IllegalStateException(
          "the auditor's flow spec '"
              + spec.name()
              + "' lists no spans (spans: in a spec file): the spec shape is unknown");
    }
    Set<SpanSpec> broken = new HashSet<>();
    brokenAt.forEach(text -> broken.add(resolve(spec, text)));
    Set<SpanSpec> linked = new HashSet<>();
    linkedAt.forEach(text -> linked.add(resolve(spec, text)));
    for (SpanSpec s : linked) {
      if (broken.contains(s)) {
        throw new IllegalArgumentException(s + " is given as broken and as linked");
      }
    }
    return new SpecShape(spec, Set.copyOf(broken), Set.copyOf(linked), rootParent);
  }

  private static SpanSpec resolve(FlowSpec spec, String text) {
    SpanSelector selector = SpanSelector.parse(Objects.requireNonNull(text, "span"));
    List<SpanSpec> found =
        spec.spans().stream()
            .filter(s -> selector.matches(s.service(), s.kind(), s.name()))
            .toList();
    if (found.size() != 1) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' names "
              + (found.isEmpty() ? "no span" : found.size() + " spans")
              + " of the spec '"
              + spec.name()
              + "'; its spans: "
              + spec.spans().stream().map(s -> s.selector().toString()).toList());
    }
    if (found.get(0).isRoot()) {
      throw new IllegalArgumentException(
          "'" + text + "' is the spec's first span: a request always starts a trace there");
    }
    return found.get(0);
  }

  private SpanSpec start(SpanSpec s, int depth) {
    if (s.isRoot() || broken.contains(s) || linked.contains(s)) {
      return s;
    }
    SpanSpec parent = spec.span(s.parent());
    if (parent == null || depth > FlowSpec.MAX_SPANS) {
      return s; // a parent the spec does not list: the span starts its own trace
    }
    return start(parent, depth + 1);
  }

  /** {@code the spec's 6 spans in one trace}, or with the new traces' first spans. */
  String describe() {
    String spans = SpanTrees.count(spec.spans().size(), "span");
    if (fragments.size() == 1) {
      return "the spec's " + spans + " in one trace";
    }
    List<String> starts = new ArrayList<>();
    for (SpanSpec start : fragments.keySet()) {
      if (broken.contains(start)) {
        starts.add(start.selector() + " (broken)");
      } else if (linked.contains(start)) {
        starts.add(start.selector() + " (linked)");
      }
    }
    return "the spec's "
        + spans
        + " in "
        + fragments.size()
        + " traces, new ones at "
        + String.join(", ", starts);
  }

  /**
   * What keeps the request's judged traces from being this shape; empty when they are it.
   *
   * @param namedTraceId the trace the selector names, which must hold the spec's first span; null
   *     for a selector by attribute
   */
  List<String> problems(List<AuditedTrace> traces, String namedTraceId) {
    List<String> problems = new ArrayList<>();
    for (AuditedTrace t : traces) {
      if (!t.lateSpans().isEmpty()) {
        throw new Polling.Final(Request.lateSpans(t));
      }
    }
    if (traces.size() != fragments.size()) {
      problems.add(
          "it is "
              + SpanTrees.count(traces.size(), "trace")
              + ", the spec's shape "
              + fragments.size());
    }
    Map<SpanSpec, AuditedTrace> matched = new LinkedHashMap<>();
    Map<SpanSpec, AuditedSpan> actualOf = new HashMap<>();
    for (AuditedTrace t : traces) {
      List<AuditedSpan> tops =
          t.spans().stream().filter(s -> s.isRoot() || !t.holds(s.parentSpanId())).toList();
      String where = "trace " + t.traceId() + ": ";
      if (tops.size() != 1) {
        problems.add(where + tops.size() + " spans without a parent in it: " + tops);
        continue;
      }
      AuditedSpan top = tops.get(0);
      SpanSpec start =
          fragments.keySet().stream()
              .filter(s -> s.matches(top.service(), top.kind(), top.name()))
              .findFirst()
              .orElse(null);
      if (start == null) {
        problems.add(
            where
                + "it starts at "
                + top
                + ", where the spec's shape starts no trace (it starts them at "
                + fragments.keySet().stream().map(s -> s.selector().toString()).toList()
                + ")");
        continue;
      }
      if (matched.putIfAbsent(start, t) != null) {
        problems.add(where + "a second trace starting at " + top);
        continue;
      }
      List<SpanSpec> expected = fragments.get(start);
      if (t.spans().size() != expected.size()) {
        problems.add(
            where
                + "it has "
                + SpanTrees.count(t.spans().size(), "span")
                + ", the spec's shape "
                + expected.size()
                + " from "
                + start.selector());
      }
      String parentProblem = parentProblem(start, top);
      if (parentProblem != null) {
        problems.add(where + parentProblem);
      }
      matchChildren(t, top, start, where, problems, actualOf);
    }
    for (SpanSpec start : fragments.keySet()) {
      if (!matched.containsKey(start)) {
        problems.add("no trace of it starts at " + start.selector());
      }
    }
    if (namedTraceId != null) {
      AuditedTrace first = matched.get(fragments.keySet().iterator().next());
      if (first != null && !first.traceId().equals(namedTraceId)) {
        problems.add(
            "the spec's first span is in trace "
                + first.traceId()
                + ", not in the trace the request was named by, "
                + namedTraceId);
      }
    }
    if (problems.isEmpty()) {
      linkProblems(traces, actualOf, problems);
    }
    return problems;
  }

  private String parentProblem(SpanSpec start, AuditedSpan top) {
    String expected = start.isRoot() ? rootParent : null;
    if (Objects.equals(top.parentSpanId(), expected)) {
      return null;
    }
    if (expected == null) {
      return "its first span "
          + top
          + " has parent "
          + top.parentSpanId()
          + ", which is not in it (missing parent)";
    }
    return "its first span "
        + top
        + (top.isRoot() ? " has no parent" : " has parent " + top.parentSpanId())
        + ", not the caller's span "
        + expected;
  }

  /** Matches the span's children in the trace with the spec span's children in its trace. */
  private void matchChildren(
      AuditedTrace trace,
      AuditedSpan span,
      SpanSpec expected,
      String where,
      List<String> problems,
      Map<SpanSpec, AuditedSpan> actualOf) {
    actualOf.put(expected, span);
    List<SpanSpec> expectedChildren =
        spec.spans().stream()
            .filter(s -> expected.id().equals(s.parent()) && startOf.get(s) != s)
            .toList();
    List<AuditedSpan> children = new ArrayList<>(trace.children(span));
    for (SpanSpec e : expectedChildren) {
      AuditedSpan match =
          children.stream()
              .filter(c -> e.matches(c.service(), c.kind(), c.name()))
              .findFirst()
              .orElse(null);
      if (match == null) {
        problems.add(where + span + " has no child " + e.selector() + " (the spec's)");
        continue;
      }
      children.remove(match);
      matchChildren(trace, match, e, where, problems, actualOf);
    }
    for (AuditedSpan extra : children) {
      problems.add(where + span + " has the child " + extra + ", which the spec's shape has not");
    }
  }

  private void linkProblems(
      List<AuditedTrace> traces, Map<SpanSpec, AuditedSpan> actualOf, List<String> problems) {
    for (AuditedTrace t : traces) {
      for (AuditedSpan s : t.spans()) {
        SpanSpec e =
            actualOf.entrySet().stream()
                .filter(x -> x.getValue() == s)
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(null);
        if (e != null && linked.contains(e)) {
          AuditedSpan parent = actualOf.get(spec.span(e.parent()));
          List<AuditedSpan.Link> expected =
              parent == null ? List.of() : List.of(AuditedSpan.Link.to(parent));
          if (!s.links().equals(expected)) {
            problems.add(
                s
                    + " links to "
                    + links(s.links())
                    + ", not exactly to its spec parent "
                    + parent
                    + " "
                    + links(expected));
          }
        } else if (!s.links().isEmpty()) {
          problems.add(s + " links to " + links(s.links()) + ", where the spec's shape has none");
        }
      }
    }
  }

  private static String links(List<AuditedSpan.Link> links) {
    return links.isEmpty()
        ? "nothing"
        : String.join(
            ", ",
            links.stream()
                .map(l -> "[span " + l.spanId() + " in trace " + l.traceId() + "]")
                .toList());
  }
}
