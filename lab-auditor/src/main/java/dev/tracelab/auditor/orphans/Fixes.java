// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.orphans;

import dev.tracelab.auditor.spec.Hop;

/**
 * The generic fix texts (docs/design.md §11.2): they name the services of the spans they explain
 * and the layer where the fix belongs, and nothing of any particular system. A spec's hop may
 * replace them with its own ({@link Hop#fix()}).
 */
final class Fixes {

  private Fixes() {}

  static final String MISSING_PARENT =
      "The parent span was never exported: make sure every span is ended, the exporter queue is"
          + " not dropping spans, and the sampler keeps whole traces (parent-based sampling).";

  static final String NO_CONTEXT =
      "The message reached the consumer with no trace context because it was produced outside the"
          + " traced flow (a console producer, a replay tool): no producer span of its request was"
          + " ever exported. Not a defect of the consumer, and not counted as an orphan; produce it"
          + " through the traced flow to trace it end to end.";

  static final String LINK =
      "The span starts a new trace with a link, but the link points to a span that is not the"
          + " expected predecessor (the caller span of its hop in the same request): link to the context extracted at the boundary (for messaging, the"
          + " producer's context from the message headers), or make that context the parent.";

  /** A root of this boundary whose caller is unknown. */
  static String root(Hop.Boundary boundary, String service, boolean likely) {
    return switch (boundary) {
      case HTTP ->
          "A SERVER span of "
              + service
              + " started a new trace: its caller did not inject the trace"
              + " context into the request, "
              + service
              + " did not extract it, or something between"
              + " them (a proxy, an API gateway, a load balancer) stripped the traceparent header."
              + " Inject with an instrumented HTTP client (or the propagator) on the caller; extract"
              + " with the instrumented server on "
              + service
              + ".";
      case RPC ->
          "A SERVER span of "
              + service
              + " started a new trace: its caller did not inject the trace"
              + " context into the call's metadata, "
              + service
              + " did not extract it, or a proxy"
              + " between them dropped the metadata. Use the RPC framework's client and server"
              + " instrumentation (interceptors) on both sides.";
      case MESSAGING ->
          "A CONSUMER span of "
              + service
              + " started a new trace: the producer did not inject the"
              + " trace context into the message headers, or "
              + service
              + " did not extract it from"
              + " them (make the extracted context the parent of the process span, or link to it), or"
              + " something between them rewrote the message without its headers.";
      case ASYNC ->
          (likely
                  ? "Likely a lost async hand-off: a span of "
                      + service
                      + " started a new trace while "
                      + service
                      + " was serving a request. "
                  : "Work of "
                      + service
                      + " handed to another thread, task or queue lost the request's"
                      + " context. ")
              + "Bind the current context to the task when it is submitted (Java:"
              + " Context.taskWrapping / Context.current().wrap; Go: pass the ctx on; Node.js:"
              + " context.bind(context.active(), fn)).";
    };
  }

  /** A root with no current context whose kind says nothing about a boundary. */
  static String unknown(String kind, String service) {
    return "A "
        + kind
        + " span of "
        + service
        + " started with no current context: find where"
        + " this code runs and pass the request's context to it.";
  }

  /** Both sides propagate, in formats the other does not read. */
  static String propagators(String caller, String callerValue, String callee, String calleeValue) {
    return "Both sides propagate, in formats the other does not read: "
        + caller
        + " OTEL_PROPAGATORS="
        + callerValue
        + ", "
        + callee
        + " OTEL_PROPAGATORS="
        + calleeValue
        + ". Align OTEL_PROPAGATORS on both sides of the hop (both tracecontext), or, during a"
        + " migration, run a composite propagator (tracecontext,b3multi) on both: inject both"
        + " formats, extract either. Fix: OTEL_PROPAGATORS of "
        + caller
        + " and "
        + callee
        + " (configuration)";
  }

  /** The fix of a broken edge between two services, naming the side that must act. */
  static String edge(Hop.Boundary boundary, String from, String to, Side side, boolean declared) {
    String what =
        switch (boundary) {
          case HTTP ->
              "the caller "
                  + from
                  + " must inject the trace context into its request (an"
                  + " instrumented HTTP client, or the propagator's inject); the callee "
                  + to
                  + " must"
                  + " extract it and make it the parent of its SERVER span; a proxy, API gateway or load"
                  + " balancer between them may strip the traceparent header.";
          case RPC ->
              "the caller "
                  + from
                  + " must inject the trace context into the call's metadata"
                  + " (a client interceptor); the callee "
                  + to
                  + " must extract it (a server interceptor);"
                  + " a proxy between them may drop the metadata.";
          case MESSAGING ->
              "the producer "
                  + from
                  + " must inject the trace context into the message"
                  + " headers; the consumer "
                  + to
                  + " must extract it from them and make it the parent of"
                  + " (or a link of) its process span; a bridge or relay that copies messages may drop the"
                  + " headers.";
          case ASYNC ->
              "the code of "
                  + from
                  + " that hands work to another thread, task or queue must"
                  + " bind the current context to the task at submit time.";
        };
    return (declared ? side.declared(from, to, boundary) : side.sentence(from, to))
        + capitalize(what);
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** Who must act on a broken edge, as far as the spec or the rest of the traffic says. */
  enum Side {
    CALLER("caller"),
    CALLEE("callee"),
    BETWEEN("between"),
    EITHER("either");

    final String id;

    Side(String id) {
      this.id = id;
    }

    /** What the spec says: no inference behind it. */
    String declared(String from, String to, Hop.Boundary boundary) {
      if (boundary == Hop.Boundary.ASYNC) {
        return "Fix the hand-off in " + from + ". ";
      }
      return switch (this) {
        case CALLER -> "Fix the caller's inject (" + from + "). ";
        case CALLEE -> "Fix the callee's extract (" + to + "). ";
        default -> sentence(from, to);
      };
    }

    String sentence(String from, String to) {
      return switch (this) {
        case CALLER ->
            "Fix the caller's inject ("
                + from
                + "): "
                + to
                + " continues other callers'"
                + " traces, so it extracts. ";
        case CALLEE ->
            "Fix the callee's extract ("
                + to
                + "), or what sits between them: "
                + from
                + "'s other calls are answered, so it injects. ";
        case BETWEEN ->
            "Both sides propagate on their other hops: look between them (a proxy that"
                + " strips the header, or propagators that share no format). ";
        case EITHER -> "";
      };
    }
  }
}
