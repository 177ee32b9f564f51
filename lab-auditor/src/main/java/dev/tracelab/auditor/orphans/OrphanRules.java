// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.spec.FlowSpec;
import dev.tracelab.auditor.spec.Hop;
import dev.tracelab.auditor.spec.SpanSelector;
import dev.tracelab.auditor.trace.AssembledTrace;
import dev.tracelab.auditor.trace.ReceivedSpan;
import dev.tracelab.auditor.trace.TraceClosed;
import io.opentelemetry.api.trace.SpanKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rules of docs/design.md §11.2 applied to one closed trace, under one {@link FlowSpec}: which
 * spans are orphan roots (a root that is not an entry point, nor a linked root), which are
 * missing-parent orphans (parent id absent from the trace), and the diagnosis of each. Everything
 * it knows of the system comes from the spec; everything it knows of the trace comes with the close
 * event.
 */
public final class OrphanRules {

  /** Diagnosis of a CONSUMER root whose request has no PRODUCER span elsewhere: not counted. */
  public static final String NO_CONTEXT = "no-context";

  /** Diagnosis of a root whose links point nowhere the spec expects. */
  public static final String LINK = "link";

  /** Diagnosis of a span whose parent is absent from its trace. */
  public static final String MISSING_PARENT = "missing-parent";

  /** Diagnosis of services whose propagators share no format. */
  public static final String PROPAGATORS = "propagators";

  private final List<SpanSelector> extraEntryPoints;

  /** The spec alone says which spans may start a trace. */
  public OrphanRules() {
    this(Set.of());
  }

  /**
   * @param entryPoints spans allowed to be roots besides the spec's entry points, as {@code
   *     service[:KIND]} (e.g. {@code frontend:SERVER}); they never count as orphans
   */
  public OrphanRules(Set<String> entryPoints) {
    this.extraEntryPoints = entryPoints.stream().map(SpanSelector::parse).toList();
  }

  /**
   * One span of a trace that did not continue its request, with its diagnosis. Every one is an
   * orphan (counted) except a {@link #NO_CONTEXT} root: a message that arrived with no context
   * started a trace of its own, which is what it should do; it is reported, not counted.
   */
  public record Orphan(ReceivedSpan span, boolean root, Diagnosis diagnosis) {

    /** Counted in the orphan figures (everything but a message produced outside the flow). */
    public boolean counts() {
      return !NO_CONTEXT.equals(diagnosis.boundary());
    }
  }

  /** A span allowed to be a root: one of the spec's entry points, or one configured. */
  public boolean isEntryPoint(ReceivedSpan span, FlowSpec spec) {
    if (spec.isEntryPoint(span)) {
      return true;
    }
    for (SpanSelector e : extraEntryPoints) {
      if (e.matches(span)) {
        return true;
      }
    }
    return false;
  }

  /** The orphans of a closed trace; the other fragments of its requests come with the event. */
  public List<Orphan> orphansOf(TraceClosed closed, FlowSpec spec) {
    AssembledTrace trace = closed.trace();
    List<Orphan> orphans = new ArrayList<>(0);
    for (ReceivedSpan span : trace.spans()) {
      if (isEntryPoint(span, spec)) {
        continue;
      }
      if (span.isRoot()) {
        if (isLinkedRoot(span, closed, spec)) {
          continue; // a new trace joined to its request by an acceptable link: not an orphan
        }
        orphans.add(new Orphan(span, true, diagnoseRoot(span, closed, spec)));
      } else if (!trace.hasSpan(span.parentSpanId())) {
        orphans.add(
            new Orphan(
                span,
                false,
                new Diagnosis(MISSING_PARENT, span.service(), span.name(), Fixes.MISSING_PARENT)));
      }
    }
    return orphans;
  }

  /**
   * A linked root (docs/design.md §11.2 rule 2): with a hop into it that allows links, its link
   * points to the hop's caller span in another trace of the same request (any other trace, without
   * correlation); without hops (no spec), any link to another trace.
   */
  public static boolean isLinkedRoot(ReceivedSpan span, TraceClosed closed, FlowSpec spec) {
    if (!span.isRoot() || span.links().isEmpty()) {
      return false;
    }
    if (spec.hops().isEmpty()) {
      return span.links().stream().anyMatch(l -> !l.traceId().equals(span.traceId()));
    }
    Hop hop = spec.hopInto(span);
    if (hop == null || !hop.link()) {
      return false;
    }
    String request = spec.correlationOf(span);
    if (request == null) {
      return span.links().stream().anyMatch(l -> !l.traceId().equals(span.traceId()));
    }
    for (AssembledTrace fragment : closed.fragmentsOf(request)) {
      if (fragment.traceId().equals(span.traceId())) {
        continue;
      }
      for (ReceivedSpan s : fragment.spans()) {
        if (hop.from().matches(s) && span.linksTo(s.traceId(), s.spanId())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The diagnosis of a root judged {@link #NO_CONTEXT} on one auditor, once a producer span of its
   * request turned up on another (what one auditor seeing both would have said): {@link
   * AuditMerge}.
   */
  public Diagnosis diagnoseRootWithProducerElsewhere(ReceivedSpan span, FlowSpec spec) {
    return diagnoseRoot(span, null, spec);
  }

  /** {@code closed} null: the request's other fragments sit elsewhere (another auditor). */
  private Diagnosis diagnoseRoot(ReceivedSpan span, TraceClosed closed, FlowSpec spec) {
    if (!span.links().isEmpty()) {
      return new Diagnosis(LINK, span.service(), span.name(), Fixes.LINK);
    }
    Hop hop = spec.hopInto(span);
    if (hop != null && propagatorsDisagree(spec, hop.from().service(), hop.to().service())) {
      String caller = hop.from().service();
      return new Diagnosis(
          PROPAGATORS,
          span.service(),
          span.name(),
          note(hop)
              + Fixes.propagators(
                  caller,
                  spec.propagators().get(caller),
                  span.service(),
                  spec.propagators().get(hop.to().service())));
    }
    String request = spec.correlationOf(span);
    if (span.kind() == SpanKind.CONSUMER
        && request != null
        && closed != null
        && !producerElsewhere(request, closed)) {
      return new Diagnosis(NO_CONTEXT, span.service(), span.name(), Fixes.NO_CONTEXT);
    }
    if (hop != null
        && hop.boundary() == Hop.Boundary.ASYNC
        && request != null
        && closed != null
        && !servingElsewhere(span, request, closed)) {
      // no execution of this service served the request elsewhere: nothing was handed off
      return new Diagnosis(
          "unknown",
          span.service(),
          span.name(),
          Fixes.unknown(span.kind().name(), span.service()));
    }
    if (hop != null) {
      String fix =
          hop.fix() != null ? hop.fix() : Fixes.root(hop.boundary(), span.service(), false);
      return new Diagnosis(hop.id(), span.service(), span.name(), note(hop) + fix);
    }
    return switch (span.kind()) {
      case SERVER -> {
        Hop.Boundary b =
            span.attributes().containsKey("rpc.system")
                    || span.attributes().containsKey("rpc.system.name")
                ? Hop.Boundary.RPC
                : Hop.Boundary.HTTP;
        yield new Diagnosis(
            b.id(), span.service(), span.name(), Fixes.root(b, span.service(), false));
      }
      case CONSUMER ->
          new Diagnosis(
              Hop.Boundary.MESSAGING.id(),
              span.service(),
              span.name(),
              Fixes.root(Hop.Boundary.MESSAGING, span.service(), false));
      case INTERNAL, PRODUCER -> {
        if (request != null && closed != null && !servingElsewhere(span, request, closed)) {
          // the request is known and no execution of this service served it elsewhere
          yield new Diagnosis(
              "unknown",
              span.service(),
              span.name(),
              Fixes.unknown(span.kind().name(), span.service()));
        }
        yield new Diagnosis(
            Hop.Boundary.ASYNC.id(),
            span.service(),
            span.name(),
            Fixes.root(Hop.Boundary.ASYNC, span.service(), request == null));
      }
      default ->
          new Diagnosis(
              "unknown",
              span.service(),
              span.name(),
              Fixes.unknown(span.kind().name(), span.service()));
    };
  }

  private static String note(Hop hop) {
    return hop.note() == null ? "" : hop.note() + " ";
  }

  /**
   * A PRODUCER span of the request sits in another of its traces: the context was given and
   * dropped. The root's own trace does not count (the consumer started it: its spans descend from
   * the root).
   */
  private static boolean producerElsewhere(String request, TraceClosed closed) {
    for (AssembledTrace fragment : closed.fragmentsOf(request)) {
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

  /** The same service's SERVER or CONSUMER span of the same request sits in another trace. */
  private static boolean servingElsewhere(ReceivedSpan span, String request, TraceClosed closed) {
    for (AssembledTrace other : closed.fragmentsOf(request)) {
      if (other.traceId().equals(closed.trace().traceId())) {
        continue;
      }
      for (ReceivedSpan s : other.spans()) {
        if ((s.kind() == SpanKind.SERVER || s.kind() == SpanKind.CONSUMER)
            && s.service().equals(span.service())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * True when both services' propagators are known and share no trace-context format: what one
   * injects, the other cannot extract ({@code b3} and {@code b3multi} read each other).
   */
  static boolean propagatorsDisagree(FlowSpec spec, String caller, String callee) {
    Set<String> a = formats(spec.propagators().get(caller));
    Set<String> b = formats(spec.propagators().get(callee));
    return a != null && b != null && a.stream().noneMatch(b::contains);
  }

  private static Set<String> formats(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return java.util.Arrays.stream(value.split(","))
        .map(s -> s.trim().toLowerCase(java.util.Locale.ROOT))
        .filter(s -> !s.isEmpty() && !s.equals("baggage") && !s.equals("none"))
        .map(s -> s.equals("b3multi") ? "b3" : s)
        .collect(java.util.stream.Collectors.toSet());
  }
}
