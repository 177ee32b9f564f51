// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import io.opentelemetry.api.trace.SpanKind;
import java.util.List;
import java.util.Map;

/**
 * One implementation of one role: the spans it emits, in order, and where its boundary fix lives
 * (docs/design.md §2, §7). Libraries differ — {@code kotel} names Kafka spans topic first and emits
 * a receive and a process span — so each implementation declares its own spans here, once; {@link
 * ExpectedFlow} composes the expected trace of a combination from them.
 *
 * <p>A declared span's parent is either another span of the same implementation (its index) or
 * {@link Declared#UPSTREAM}: the last span of the previous participant (for the gateway: the
 * caller, if any).
 *
 * <p>A proxy is an implementation too ({@link #SIDECAR_ENVOY}, an optional participant): it
 * declares its spans, the orphans it hosts when the caller does not propagate, and what it says
 * about them, so the auditor needs no case of its own for it.
 */
public enum Implementation {
  /** The page of {@code frontend/}: one CLIENT span per order, the root of the request's trace. */
  FRONTEND_BROWSER(
      Flow.FRONTEND,
      Language.BROWSER,
      List.of(new Declared(SpanKind.CLIENT, Flow.FRONTEND_FETCH, Declared.UPSTREAM)),
      Map.of()),
  GATEWAY_JAVA(
      Flow.GATEWAY,
      Language.JAVA,
      List.of(
          new Declared(SpanKind.SERVER, Flow.GATEWAY_SERVER, Declared.UPSTREAM),
          new Declared(SpanKind.CLIENT, Flow.GATEWAY_CLIENT, 0)),
      Map.of(Boundary.CORS, 0)),
  GATEWAY_GO(
      Flow.GATEWAY,
      Language.GO,
      List.of(
          new Declared(SpanKind.SERVER, Flow.GATEWAY_SERVER, Declared.UPSTREAM),
          new Declared(SpanKind.CLIENT, Flow.GATEWAY_CLIENT, 0)),
      Map.of(Boundary.CORS, 0)),
  WORKER_JAVA(
      Flow.WORKER,
      Language.JAVA,
      List.of(
          new Declared(SpanKind.SERVER, Flow.WORKER_SERVER, Declared.UPSTREAM),
          new Declared(SpanKind.INTERNAL, Flow.DEFERRED_WORK, 0),
          new Declared(SpanKind.PRODUCER, Flow.PRODUCE, 1)),
      Map.of(Boundary.HTTP, 0, Boundary.PROPAGATORS, 0, Boundary.ASYNC, 1)),
  WORKER_NODE(
      Flow.WORKER,
      Language.NODE,
      List.of(
          new Declared(SpanKind.SERVER, Flow.WORKER_SERVER, Declared.UPSTREAM),
          new Declared(SpanKind.INTERNAL, Flow.DEFERRED_WORK, 0),
          new Declared(SpanKind.PRODUCER, Flow.PRODUCE, 1)),
      Map.of(Boundary.HTTP, 0, Boundary.PROPAGATORS, 0, Boundary.ASYNC, 1)),
  CONSUMER_JAVA(
      Flow.CONSUMER,
      Language.JAVA,
      List.of(new Declared(SpanKind.CONSUMER, Flow.PROCESS, Declared.UPSTREAM)),
      Map.of(Boundary.KAFKA, 0)),
  CONSUMER_GO(
      Flow.CONSUMER,
      Language.GO,
      List.of(new Declared(SpanKind.CONSUMER, Flow.PROCESS, Declared.UPSTREAM)),
      Map.of(Boundary.KAFKA, 0)),
  /**
   * Envoy as the worker's inbound sidecar ({@code --mesh}): a SERVER span for the request its
   * listener received and, as the upstream span of its router, a CLIENT span for the request it
   * forwards to the worker. Its OpenTelemetry tracer reads and writes W3C {@code traceparent} only.
   * When the caller sends no context it starts a new trace: the orphan of the HTTP hop moves from
   * the worker to the sidecar, and the worker joins the sidecar's trace.
   */
  SIDECAR_ENVOY(
      Flow.SIDECAR,
      Language.CPP,
      List.of(
          new Declared(SpanKind.SERVER, Flow.SIDECAR_INGRESS, Declared.UPSTREAM),
          new Declared(SpanKind.CLIENT, Flow.SIDECAR_UPSTREAM, 0)),
      Map.of(Boundary.HTTP, 0, Boundary.PROPAGATORS, 0),
      "tracecontext",
      "The request reached the mesh sidecar with no trace context it could read, so the proxy"
          + " started a new trace and the worker joined the sidecar's trace, not the request's. The"
          + " application did not propagate, and the mesh cannot repair it: a proxy sees one hop,"
          + " not the code that holds the caller's context. The fix is in the application.");

  /** One span an implementation emits: kind, name, and its parent (an index, or UPSTREAM). */
  public record Declared(SpanKind kind, String name, int parent) {
    /** The parent is the previous role's last span (for the first role: the caller, or none). */
    public static final int UPSTREAM = -1;
  }

  private final String role;
  private final Language language;
  private final List<Declared> spans;
  private final Map<Boundary, Integer> orphanAt;
  private final String propagators;
  private final String orphanNote;

  Implementation(
      String role, Language language, List<Declared> spans, Map<Boundary, Integer> orphanAt) {
    this(role, language, spans, orphanAt, null, null);
  }

  Implementation(
      String role,
      Language language,
      List<Declared> spans,
      Map<Boundary, Integer> orphanAt,
      String propagators,
      String orphanNote) {
    this.role = role;
    this.language = language;
    this.spans = spans;
    this.orphanAt = orphanAt;
    this.propagators = propagators;
    this.orphanNote = orphanNote;
  }

  /** The role (service folder name) this implements: {@code gateway-svc} ... */
  public String role() {
    return role;
  }

  public Language language() {
    return language;
  }

  /** The spans one request produces in this implementation, in order. */
  public List<Declared> spans() {
    return spans;
  }

  /**
   * Index of the span that becomes an orphan root when {@code boundary} is broken upstream or in
   * this implementation, if this implementation hosts that orphan.
   */
  public Integer orphanAt(Boundary boundary) {
    return orphanAt.get(boundary);
  }

  /**
   * The file (repo-relative) holding this implementation's fix of the boundary its role can break;
   * null for a participant with no code of the lab's ({@link #SIDECAR_ENVOY}). From the defect
   * catalog ({@link Defects}).
   */
  public String fixFile() {
    return Defects.fixFileOf(role, language);
  }

  /**
   * The trace-context formats it reads and writes when no scenario sets them ({@code
   * OTEL_PROPAGATORS} syntax), or null when the run's scenario sets them (the lab's services).
   */
  public String propagators() {
    return propagators;
  }

  /**
   * What to add to the diagnosis of an orphan this implementation hosts, or null: a proxy says why
   * it cannot repair the hop.
   */
  public String orphanNote() {
    return orphanNote;
  }

  /** The implementation of {@code role} in {@code language}; a clear error when there is none. */
  public static Implementation of(String role, Language language) {
    for (Implementation i : values()) {
      if (i.role.equals(role) && i.language == language) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        role
            + " has no "
            + language.id()
            + " implementation ("
            + role
            + ": "
            + languagesOf(role)
            + ")");
  }

  /** The first implementation of {@code role} (the only one of an optional participant). */
  public static Implementation first(String role) {
    for (Implementation i : values()) {
      if (i.role.equals(role)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no implementation of " + role);
  }

  /** The languages {@code role} is implemented in, e.g. {@code java|go}. */
  public static String languagesOf(String role) {
    StringBuilder sb = new StringBuilder();
    for (Implementation i : values()) {
      if (i.role.equals(role)) {
        sb.append(sb.isEmpty() ? "" : "|").append(i.language.id());
      }
    }
    return sb.toString();
  }
}
