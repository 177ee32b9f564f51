// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.cli.exercise;

import dev.tracelab.flow.Boundary;

/**
 * A recognised wrong fix: what the check observed (headers on the wire, the span's parent or links
 * in the trace, and, where the wire cannot tell two mistakes apart, the code), and the specific
 * hint for it.
 */
public enum WrongFix {
  ID_HEADER_ONLY(
      Boundary.HTTP,
      "The request carries an id header (%s) but no traceparent. No propagator on the worker reads a"
          + " home-made id: a trace id alone is not a context (the parent span id and the sampled flag"
          + " are missing). Inject the whole context with the SDK's propagator, which writes W3C"
          + " traceparent."),
  B3_ONLY(
      Boundary.HTTP,
      "The request carries B3 headers (%s) but no traceparent, and the worker extracts W3C"
          + " tracecontext only. Inject with the service's configured propagator (tracecontext,baggage)"
          + " instead of a B3 one."),
  INJECTED_ON_SERVER(
      Boundary.HTTP,
      "The gateway's response to its caller carries traceparent, but the request to the worker does"
          + " not: the context was injected on the server side. Inject into the OUTGOING request, on the"
          + " client side of the call (%s)."),
  SERVER_SPAN_CONTEXT(
      Boundary.HTTP,
      "The worker's SERVER span is now in the request's trace, but its parent is the gateway's SERVER"
          + " span '%s', not the CLIENT span 'POST': the context was injected before the CLIENT span"
          + " was current. Inject the context that holds the CLIENT span (inside its scope / in the"
          + " transport), so the hop shows as CLIENT -> SERVER."),
  BOUND_AT_RUN(
      Boundary.ASYNC,
      "The code binds a context (%s), but when the task RUNS: on the pool thread / queue loop the"
          + " current context is already the empty one, so the deferred-work span still starts a new"
          + " trace. Capture the context when the task is SUBMITTED, on the request's thread, and bind"
          + " the task to it there."),
  EXTRACTED_NOT_PARENT(
      Boundary.KAFKA,
      "The code extracts the context from the record headers (%s), but the process span still"
          + " starts with no parent. Use the extracted context as the span's parent (return it from the"
          + " parent function / setParent), not Context.root() or context.Background(), and no"
          + " setNoParent()."),
  LINK_NOT_PARENT(
      Boundary.KAFKA,
      "The process span starts a new trace with a LINK to the producer span (%s). A link keeps the"
          + " lineage for batch consumers, but this exercise asks for a PARENT: the consumer handles"
          + " each record on its own, so the process span should be the producer span's child and"
          + " the request stays one trace (see docs/orphans.md, A link instead of a parent)."),
  CATCH_ALL_ALLOWLIST(
      Boundary.CORS,
      "The API's requests may carry the trace context now, but so do the third party's (%s): the"
          + " allowlist matches every origin, and the page's trace ids (and baggage) leave for a party"
          + " that has no business with them. List the API's origin exactly"
          + " (originPattern(config.apiOrigin)), nothing else."),
  MISMATCH_MOVED(
      Boundary.PROPAGATORS,
      "The gateway -> worker hop connects now, but %s starts a new trace: the mismatch moved to the"
          + " next hop. The worker injects into the Kafka record with ITS OTEL_PROPAGATORS, and the"
          + " consumer extracts only what its own list names. Every hop needs a format both of its"
          + " sides read: the same list everywhere (tracecontext,baggage), or, while migrating, both"
          + " formats on every service.");

  private final Boundary boundary;
  private final String hint;

  WrongFix(Boundary boundary, String hint) {
    this.boundary = boundary;
    this.hint = hint;
  }

  public Boundary boundary() {
    return boundary;
  }

  /** The hint with what was observed filled in. */
  String hint(String observed) {
    return String.format(hint, observed);
  }
}
