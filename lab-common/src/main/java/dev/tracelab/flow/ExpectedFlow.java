// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The expected trace of one combination of implementations (docs/design.md §2, §7), composed from
 * the spans each {@link Implementation} declares: steps numbered 1..n in flow order, each with its
 * parent's step. It composes over the run's participants ({@link Implementations#participants()}):
 * the three services and any optional participant between them, such as the Envoy sidecar of {@code
 * --mesh}. The tests, the auditor and the CLI read shapes only from here.
 */
public final class ExpectedFlow {

  private final Implementations implementations;
  private final List<ExpectedSpan> spans;

  private ExpectedFlow(Implementations implementations) {
    this.implementations = implementations;
    List<ExpectedSpan> composed = new ArrayList<>();
    int upstreamLast = 0; // step of the previous participant's last span; 0 = none (the caller)
    for (Implementation impl : implementations.participants()) {
      String role = impl.role();
      int first = composed.size() + 1;
      List<Implementation.Declared> declared = impl.spans();
      for (int i = 0; i < declared.size(); i++) {
        Implementation.Declared d = declared.get(i);
        int parent =
            d.parent() == Implementation.Declared.UPSTREAM ? upstreamLast : first + d.parent();
        composed.add(new ExpectedSpan(first + i, role, d.kind(), d.name(), parent));
      }
      upstreamLast = composed.size();
    }
    this.spans = List.copyOf(composed);
  }

  public static ExpectedFlow of(Implementations implementations) {
    return new ExpectedFlow(implementations);
  }

  public Implementations implementations() {
    return implementations;
  }

  /** Every span of one connected request, in step order. */
  public List<ExpectedSpan> spans() {
    return spans;
  }

  public int size() {
    return spans.size();
  }

  /** The span at {@code step} (1-based). */
  public ExpectedSpan step(int step) {
    return spans.get(step - 1);
  }

  /** How many spans of one request {@code service} produces. */
  public long spansOf(String service) {
    return spans.stream().filter(s -> s.service().equals(service)).count();
  }

  /** The expected span with this identity, or null when the flow has none. */
  public ExpectedSpan stepOf(String service, SpanKind kind, String name) {
    for (ExpectedSpan e : spans) {
      if (e.matches(service, kind, name)) {
        return e;
      }
    }
    return null;
  }

  /** The step that becomes an orphan root when {@code boundary} is broken. */
  public int orphanStep(Boundary boundary) {
    return orphanStepAndHost(boundary).getKey();
  }

  /**
   * The participant whose span becomes an orphan root when {@code boundary} is broken: the first in
   * flow order that declares one (a proxy in front of the worker hosts the HTTP orphan).
   */
  public Implementation orphanHost(Boundary boundary) {
    return orphanStepAndHost(boundary).getValue();
  }

  private java.util.Map.Entry<Integer, Implementation> orphanStepAndHost(Boundary boundary) {
    int step = 1;
    for (Implementation impl : implementations.participants()) {
      Integer at = impl.orphanAt(boundary);
      if (at != null) {
        return java.util.Map.entry(step + at, impl);
      }
      step += impl.spans().size();
    }
    throw new IllegalStateException("no implementation hosts the orphan of " + boundary);
  }

  /** The first span of the flow: the one span of a connected request allowed to be a root. */
  public ExpectedSpan entryPoint() {
    return spans.get(0);
  }

  /**
   * The code boundary whose break makes the span with this identity an orphan root in this flow, or
   * null: a root at the flow's first step, or at a step no participant's boundary cuts, has none.
   * Only boundaries whose breaking participant takes part count (without the page, nothing cuts the
   * CORS boundary).
   */
  public Boundary boundaryOrphaning(String service, SpanKind kind, String name) {
    ExpectedSpan span = stepOf(service, kind, name);
    if (span == null || span.isRoot()) {
      return null;
    }
    for (Boundary b : Boundary.values()) {
      if (!b.isConfiguration()
          && implementations.has(b.brokenBy())
          && orphanStep(b) == span.step()) {
        return b;
      }
    }
    return null;
  }

  /** The span that becomes an orphan root when {@code boundary} is broken. */
  public ExpectedSpan orphanSpan(Boundary boundary) {
    return step(orphanStep(boundary));
  }

  /** The file holding the fix of {@code boundary} in the implementation that can break it. */
  public String fixFile(Boundary boundary) {
    if (boundary.isConfiguration()) {
      return "OTEL_PROPAGATORS of "
          + boundary.brokenBy()
          + " and "
          + boundary.orphanService()
          + " (configuration)";
    }
    String role = boundary.brokenBy();
    return (implementations.has(role) ? implementations.of(role) : Implementation.first(role))
        .fixFile();
  }

  /**
   * The trace fragments one request must produce when {@code broken} boundaries are broken: lists
   * of steps, each list one trace; each broken boundary's orphan step starts a new fragment.
   */
  public List<List<Integer>> fragments(Set<Boundary> broken) {
    Set<Integer> cuts = broken.stream().map(this::orphanStep).collect(Collectors.toSet());
    List<List<Integer>> fragments = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    for (ExpectedSpan span : spans) {
      if (cuts.contains(span.step()) && !current.isEmpty()) {
        fragments.add(List.copyOf(current));
        current = new ArrayList<>();
      }
      current.add(span.step());
    }
    fragments.add(List.copyOf(current));
    return List.copyOf(fragments);
  }

  @Override
  public String toString() {
    return implementations.label() + " " + spans;
  }
}
