package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.TraceClosed;
import dev.tracelab.flow.Boundary;
import dev.tracelab.flow.Implementation;
import dev.tracelab.flow.ExpectedFlow;
import dev.tracelab.flow.ExpectedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The orphan definitions of docs/design.md §4 applied to one closed trace: which spans are orphan
 * roots (a root that is not an entry point), which are missing-parent orphans (parent id absent
 * from the trace), and the diagnosis of each. Everything it needs comes with the close event.
 */
public final class OrphanRules {

  static final String MISSING_PARENT_FIX =
      "The parent span was never exported: make sure every span is ended, the exporter queue is"
          + " not dropping spans, and the sampler keeps whole traces (parent-based sampling).";

  private final Set<String> entryPoints;

  /** The run's flow alone says which span may be a root: its first ({@link ExpectedFlow#entryPoint}). */
  public OrphanRules() {
    this(Set.of());
  }

  /**
   * @param entryPoints spans allowed to be roots besides the first span of the run's flow, as
   *     {@code service:KIND} (e.g. {@code gateway-svc:SERVER}); they never count as orphans, even
   *     when they continue a caller's trace
   */
  public OrphanRules(Set<String> entryPoints) {
    this.entryPoints = Set.copyOf(entryPoints);
  }

  /** Diagnosis of a CONSUMER root whose order has no PRODUCER span at all: see {@link #NO_CONTEXT_FIX}. */
  public static final String NO_CONTEXT = "no-context";

  static final String NO_CONTEXT_FIX =
      "The record reached the consumer with no trace context because it was produced outside the"
          + " traced flow (a console producer, a replay tool): no span of its order was ever"
          + " produced by the flow. Not a defect of the consumer, and not counted as an orphan;"
          + " produce it through the flow to trace it end to end.";

  /**
   * One span of a trace that did not continue its request, with its diagnosis.
   *
   * <p>Every one is an orphan (counted in the orphan figures) except a {@link #NO_CONTEXT} root: a
   * record that arrived with no context to continue started a trace of its own, which is what it
   * should do; it is reported, not counted.
   */
  public record Orphan(ReceivedSpan span, boolean root, Diagnosis diagnosis) {

    /** Counted in the orphan figures (everything but a record produced outside the flow). */
    public boolean counts() {
      return !NO_CONTEXT.equals(diagnosis.boundary());
    }
  }

  /** Diagnosis of a root whose links point nowhere the flow expects: see {@link #LINK_FIX}. */
  public static final String LINK = "link";

  static final String LINK_FIX =
      "The span starts a new trace with a link, but the link points to a span that is not the"
          + " expected predecessor (the span of the previous step of the same request): link to the"
          + " context extracted at the boundary (for Kafka, the producer's context from the record"
          + " headers), or make that context the parent.";

  /** An entry point of an all-Java run (the gateway's SERVER span) or one configured. */
  public boolean isEntryPoint(ReceivedSpan span) {
    return isEntryPoint(span, RunSetup.DEFAULT);
  }

  /**
   * A span allowed to be a root: the service and kind of the first span of the run's flow (the
   * gateway's SERVER span, or the page's CLIENT span when the request starts in the browser), or
   * one of the configured entry points.
   */
  public boolean isEntryPoint(ReceivedSpan span, RunSetup setup) {
    ExpectedSpan first = setup.flow().entryPoint();
    return (first.service().equals(span.service()) && first.kind() == span.kind())
        || entryPoints.contains(span.service() + ":" + span.kind().name());
  }

  /** The orphans of a closed trace of an all-Java run with default propagators. */
  public List<Orphan> orphansOf(TraceClosed closed) {
    return orphansOf(closed, RunSetup.DEFAULT);
  }

  /** The orphans of a closed trace; the other fragments of its orders come with the event. */
  public List<Orphan> orphansOf(TraceClosed closed, RunSetup setup) {
    AssembledTrace trace = closed.trace();
    Set<String> ids = trace.spanIds();
    List<Orphan> orphans = new ArrayList<>(0);
    for (ReceivedSpan span : trace.spans()) {
      if (isEntryPoint(span, setup)) {
        continue;
      }
      if (span.isRoot()) {
        if (isLinkedRoot(span, closed, setup)) {
          continue; // a new trace joined to its request by a link along the flow: not an orphan
        }
        orphans.add(new Orphan(span, true, diagnoseRoot(span, closed, setup)));
      } else if (!ids.contains(span.parentSpanId())) {
        orphans.add(
            new Orphan(
                span,
                false,
                new Diagnosis("missing-parent", span.service(), span.name(), MISSING_PARENT_FIX)));
      }
    }
    return orphans;
  }

  /**
   * A linked root (docs/design.md §8): a root whose link points to its expected predecessor — the
   * span of the previous step of the run's flow — in another trace of the same request.
   */
  public static boolean isLinkedRoot(ReceivedSpan span, TraceClosed closed, RunSetup setup) {
    if (!span.isRoot() || span.links().isEmpty() || span.orderId() == null) {
      return false;
    }
    return FlowShape.linkedPredecessor(span, closed.fragmentsOf(span.orderId()), setup.flow()) != null;
  }

  private Diagnosis diagnoseRoot(ReceivedSpan span, TraceClosed trace, RunSetup setup) {
    if (!span.links().isEmpty()) {
      return new Diagnosis(LINK, span.service(), span.name(), LINK_FIX);
    }
    if (span.kind() == SpanKind.SERVER) {
      Boundary mismatch = Boundary.PROPAGATORS;
      // the callee is whoever receives the hop first: the worker, or the sidecar in front of it
      String callee = setup.flow().orphanHost(mismatch).role();
      if (span.service().equals(callee) && setup.propagatorsDisagree(mismatch.brokenBy(), callee)) {
        return propagatorsMismatch(span, setup);
      }
      // the flow says which boundary's break orphans this span (the page's CORS allowlist for
      // the gateway, the gateway's HTTP client for the worker); an unknown server span: HTTP
      Boundary cut = setup.flow().boundaryOrphaning(span.service(), span.kind(), span.name());
      return of(cut != null ? cut : Boundary.HTTP, span, setup);
    }
    if (span.kind() == SpanKind.CONSUMER) {
      if (span.orderId() != null && !producerSpanOfOrder(span.orderId(), trace)) {
        return new Diagnosis(NO_CONTEXT, span.service(), span.name(), NO_CONTEXT_FIX);
      }
      return of(Boundary.KAFKA, span, setup);
    }
    if (span.kind() == SpanKind.INTERNAL && serverSpanElsewhere(span, trace)) {
      return of(Boundary.ASYNC, span, setup);
    }
    return new Diagnosis(
        "unknown",
        span.service(),
        span.name(),
        "A " + span.kind() + " span started with no current context: find where this code runs"
            + " and pass the request's context to it.");
  }

  /**
   * A PRODUCER span of the order sits in another fragment of it: the flow produced the record with
   * its context, so a CONSUMER root means the consumer dropped it. The root's own trace does not
   * count: the consumer started that trace id, so its spans (a dead-letter producer span among
   * them) all descend from the root.
   */
  private static boolean producerSpanOfOrder(String orderId, TraceClosed closed) {
    for (AssembledTrace fragment : closed.fragmentsOf(orderId)) {
      if (fragment.traceId().equals(closed.trace().traceId())) {
        continue;
      }
      for (ReceivedSpan s : fragment.spans()) {
        if (s.kind() == SpanKind.PRODUCER) {
          return true;
        }
      }
    }
    return false;
  }

  /** The same service's SERVER span for the same order sits in another trace. */
  private boolean serverSpanElsewhere(ReceivedSpan span, TraceClosed closed) {
    String orderId = span.orderId();
    if (orderId == null) {
      return false;
    }
    for (AssembledTrace other : closed.fragmentsOf(orderId)) {
      if (other.traceId().equals(closed.trace().traceId())) {
        continue;
      }
      for (ReceivedSpan s : other.spans()) {
        if (s.kind() == SpanKind.SERVER && s.service().equals(span.service())) {
          return true;
        }
      }
    }
    return false;
  }

  private static Diagnosis of(Boundary boundary, ReceivedSpan span, RunSetup setup) {
    return new Diagnosis(
        boundary.id(),
        span.service(),
        span.name(),
        note(boundary, span, setup) + boundary.fix() + " Fix: " + setup.flow().fixFile(boundary));
  }

  /**
   * What the flow's participant hosting this orphan says about it (a proxy: why it cannot repair
   * the hop), as a leading sentence; empty for the lab's services.
   */
  private static String note(Boundary boundary, ReceivedSpan span, RunSetup setup) {
    Implementation host = setup.flow().orphanHost(boundary);
    if (!host.role().equals(span.service()) || host.orphanNote() == null) {
      return "";
    }
    return host.orphanNote() + " ";
  }

  private static Diagnosis propagatorsMismatch(ReceivedSpan span, RunSetup setup) {
    Boundary b = Boundary.PROPAGATORS;
    String caller = b.brokenBy();
    return new Diagnosis(
        b.id(),
        span.service(),
        span.name(),
        "Both sides propagate, in formats the other does not read: "
            + caller + " OTEL_PROPAGATORS=" + setup.propagators().get(caller) + ", "
            + span.service() + " OTEL_PROPAGATORS=" + setup.propagatorsOf(span.service())
            + ". " + note(b, span, setup) + b.fix() + " Fix: " + setup.flow().fixFile(b));
  }
}
