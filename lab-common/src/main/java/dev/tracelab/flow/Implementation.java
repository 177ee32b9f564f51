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
 * {@link #UPSTREAM}: the last span of the previous role (for the gateway: the caller, if any).
 */
public enum Implementation {
  /** The page of {@code frontend/}: one CLIENT span per order, the root of the request's trace. */
  FRONTEND_BROWSER(
      Flow.FRONTEND,
      Language.BROWSER,
      List.of(new Declared(SpanKind.CLIENT, Flow.FRONTEND_FETCH, Declared.UPSTREAM)),
      Map.of(),
      "frontend/src/propagation.js"),
  GATEWAY_JAVA(
      Flow.GATEWAY,
      Language.JAVA,
      List.of(
          new Declared(SpanKind.SERVER, Flow.GATEWAY_SERVER, Declared.UPSTREAM),
          new Declared(SpanKind.CLIENT, Flow.GATEWAY_CLIENT, 0)),
      Map.of(Boundary.CORS, 0),
      "gateway-svc/src/main/java/dev/tracelab/gateway/TracingHttpClient.java"),
  GATEWAY_GO(
      Flow.GATEWAY,
      Language.GO,
      List.of(
          new Declared(SpanKind.SERVER, Flow.GATEWAY_SERVER, Declared.UPSTREAM),
          new Declared(SpanKind.CLIENT, Flow.GATEWAY_CLIENT, 0)),
      Map.of(Boundary.CORS, 0),
      "gateway-svc/go/worker.go"),
  WORKER_JAVA(
      Flow.WORKER,
      Language.JAVA,
      List.of(
          new Declared(SpanKind.SERVER, Flow.WORKER_SERVER, Declared.UPSTREAM),
          new Declared(SpanKind.INTERNAL, Flow.DEFERRED_WORK, 0),
          new Declared(SpanKind.PRODUCER, Flow.PRODUCE, 1)),
      Map.of(Boundary.HTTP, 0, Boundary.PROPAGATORS, 0, Boundary.ASYNC, 1),
      "worker-svc/src/main/java/dev/tracelab/worker/ContextBoundHandOff.java"),
  WORKER_NODE(
      Flow.WORKER,
      Language.NODE,
      List.of(
          new Declared(SpanKind.SERVER, Flow.WORKER_SERVER, Declared.UPSTREAM),
          new Declared(SpanKind.INTERNAL, Flow.DEFERRED_WORK, 0),
          new Declared(SpanKind.PRODUCER, Flow.PRODUCE, 1)),
      Map.of(Boundary.HTTP, 0, Boundary.PROPAGATORS, 0, Boundary.ASYNC, 1),
      "worker-svc/node/src/context-bound-hand-off.js"),
  CONSUMER_JAVA(
      Flow.CONSUMER,
      Language.JAVA,
      List.of(new Declared(SpanKind.CONSUMER, Flow.PROCESS, Declared.UPSTREAM)),
      Map.of(Boundary.KAFKA, 0),
      "consumer-svc/src/main/java/dev/tracelab/consumer/RecordHeadersParent.java"),
  CONSUMER_GO(
      Flow.CONSUMER,
      Language.GO,
      List.of(new Declared(SpanKind.CONSUMER, Flow.PROCESS, Declared.UPSTREAM)),
      Map.of(Boundary.KAFKA, 0),
      "consumer-svc/go/parent.go");

  /** One span an implementation emits: kind, name, and its parent (an index, or UPSTREAM). */
  public record Declared(SpanKind kind, String name, int parent) {
    /** The parent is the previous role's last span (for the first role: the caller, or none). */
    public static final int UPSTREAM = -1;
  }

  private final String role;
  private final Language language;
  private final List<Declared> spans;
  private final Map<Boundary, Integer> orphanAt;
  private final String fixFile;

  Implementation(
      String role, Language language, List<Declared> spans, Map<Boundary, Integer> orphanAt, String fixFile) {
    this.role = role;
    this.language = language;
    this.spans = spans;
    this.orphanAt = orphanAt;
    this.fixFile = fixFile;
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

  /** The file (repo-relative) holding this implementation's fix of the boundary its role can break. */
  public String fixFile() {
    return fixFile;
  }

  /** The implementation of {@code role} in {@code language}; a clear error when there is none. */
  public static Implementation of(String role, Language language) {
    for (Implementation i : values()) {
      if (i.role.equals(role) && i.language == language) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        role + " has no " + language.id() + " implementation (" + role + ": " + languagesOf(role) + ")");
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
