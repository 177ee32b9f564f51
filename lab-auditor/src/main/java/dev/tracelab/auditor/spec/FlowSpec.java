// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.spec;

import dev.tracelab.auditor.trace.ReceivedSpan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one model the auditor judges by (docs/design.md §11.1): entry points, an optional correlation
 * attribute, optionally the exact spans of one request or their count, the expected hops, and facts
 * per service. The lab's own flows are instances of it; a team writes its own in YAML ({@link
 * FlowSpecYaml}); without a spec, {@link #entryOnly} is the model.
 *
 * @param name reports carry it
 * @param services the services the spec names, in order (a report lists them even without spans)
 * @param entryPoints spans allowed to start a trace
 * @param correlation span attribute every span of one request carries; null when none
 * @param spans the spans of one request in flow order; empty when the shape is not listed
 * @param spanCount spans of one request; 0 when unknown
 * @param hops the expected crossings
 * @param propagators {@code OTEL_PROPAGATORS} per service, where known
 */
public record FlowSpec(
    String name,
    List<String> services,
    List<SpanSelector> entryPoints,
    String correlation,
    List<SpanSpec> spans,
    int spanCount,
    List<Hop> hops,
    Map<String, String> propagators) {

  /** The most spans a listed shape may have (the assembler tracks them in one bit mask). */
  public static final int MAX_SPANS = 63;

  public FlowSpec {
    entryPoints = List.copyOf(entryPoints);
    spans = List.copyOf(spans);
    hops = List.copyOf(hops);
    propagators = Collections.unmodifiableMap(new LinkedHashMap<>(propagators));
    if (spans.size() > MAX_SPANS) {
      throw new IllegalArgumentException(
          "at most " + MAX_SPANS + " spans per request, was " + spans.size());
    }
    if (!spans.isEmpty()) {
      spanCount = spans.size();
    }
    Set<String> all = new LinkedHashSet<>(services == null ? List.of() : services);
    spans.forEach(s -> all.add(s.service()));
    hops.forEach(
        h -> {
          all.add(h.from().service());
          all.add(h.to().service());
        });
    entryPoints.forEach(e -> all.add(e.service()));
    services = List.copyOf(all);
  }

  /** The spec-less model: entry points alone (docs/design.md §11.1). */
  public static FlowSpec entryOnly(List<SpanSelector> entryPoints) {
    return new FlowSpec("entry", List.of(), entryPoints, null, List.of(), 0, List.of(), Map.of());
  }

  /** True when a span may start a trace. */
  public boolean isEntryPoint(ReceivedSpan span) {
    for (SpanSelector e : entryPoints) {
      if (e.matches(span)) {
        return true;
      }
    }
    return false;
  }

  /** True when the spec lists the spans of one request. */
  public boolean hasShape() {
    return !spans.isEmpty();
  }

  /** The listed span with this span's identity, or null. */
  public SpanSpec spanOf(ReceivedSpan span) {
    for (SpanSpec s : spans) {
      if (s.matches(span)) {
        return s;
      }
    }
    return null;
  }

  /** The listed span with this id, or null. */
  public SpanSpec span(String id) {
    for (SpanSpec s : spans) {
      if (s.id().equals(id)) {
        return s;
      }
    }
    return null;
  }

  /** The position (0-based) of a listed span in the request. */
  public int indexOf(SpanSpec span) {
    return spans.indexOf(span);
  }

  /** The hop whose callee span this span is, or null. */
  public Hop hopInto(ReceivedSpan span) {
    for (Hop h : hops) {
      if (h.to().matches(span)) {
        return h;
      }
    }
    return null;
  }

  /** The hop whose caller span this span is and whose callee is {@code callee}, or null. */
  public Hop hop(ReceivedSpan caller, ReceivedSpan callee) {
    for (Hop h : hops) {
      if (h.from().matches(caller) && h.to().matches(callee)) {
        return h;
      }
    }
    return null;
  }

  /** The value of the correlation attribute on a span; null without correlation or value. */
  public String correlationOf(ReceivedSpan span) {
    return correlation == null ? null : span.attributes().get(correlation);
  }

  /** How many spans of one request each service makes (listed shape only). */
  public Map<String, Integer> spansPerService() {
    Map<String, Integer> m = new HashMap<>();
    spans.forEach(s -> m.merge(s.service(), 1, Integer::sum));
    return m;
  }

  /**
   * The fragments one request becomes when the listed hops in {@code broken} break: lists of
   * 1-based span positions, one list per trace, in flow order. Each broken hop's callee span starts
   * a new fragment (docs/design.md §3's {1,2} {3} {4,5} {6}).
   */
  public List<List<Integer>> fragments(Set<String> brokenHopIds) {
    Set<Integer> cuts = new java.util.HashSet<>();
    for (Hop h : hops) {
      if (brokenHopIds.contains(h.id())) {
        for (int i = 0; i < spans.size(); i++) {
          if (h.to().matches(spans.get(i).service(), spans.get(i).kind(), spans.get(i).name())) {
            cuts.add(i + 1);
          }
        }
      }
    }
    List<List<Integer>> fragments = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    for (int step = 1; step <= spans.size(); step++) {
      if (cuts.contains(step) && !current.isEmpty()) {
        fragments.add(List.copyOf(current));
        current = new ArrayList<>();
      }
      current.add(step);
    }
    if (!current.isEmpty()) {
      fragments.add(List.copyOf(current));
    }
    return List.copyOf(fragments);
  }
}
