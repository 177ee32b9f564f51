package dev.tracelab.flow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which language each role runs in (docs/design.md §7): one {@link Implementation} per role, in
 * flow order, plus the optional participants a run adds between them (docs/design.md §8: the Envoy
 * sidecar of {@code --mesh}). {@link #JAVA} is the default; {@link #POLYGLOT} is {@code
 * --polyglot} (go/node/go); {@link #withMesh()} puts the sidecar in front of the worker.
 *
 * @param optional the optional participants ({@link Flow#isOptional}), at most one per role, kept
 *     in flow order
 */
public record Implementations(
    Implementation gateway, Implementation worker, Implementation consumer, List<Implementation> optional) {

  public static final Implementations JAVA =
      new Implementations(Implementation.GATEWAY_JAVA, Implementation.WORKER_JAVA, Implementation.CONSUMER_JAVA);
  public static final Implementations POLYGLOT =
      new Implementations(Implementation.GATEWAY_GO, Implementation.WORKER_NODE, Implementation.CONSUMER_GO);

  public Implementations {
    check(gateway, Flow.GATEWAY);
    check(worker, Flow.WORKER);
    check(consumer, Flow.CONSUMER);
    List<Implementation> sorted = new ArrayList<>(optional == null ? List.of() : optional);
    sorted.sort(Comparator.comparingInt(i -> Flow.PARTICIPANTS.indexOf(i.role())));
    for (int i = 0; i < sorted.size(); i++) {
      String role = sorted.get(i).role();
      if (!Flow.isOptional(role)) {
        throw new IllegalArgumentException("not an optional participant: " + sorted.get(i));
      }
      if (i > 0 && sorted.get(i - 1).role().equals(role)) {
        throw new IllegalArgumentException("two implementations of " + role + ": " + sorted);
      }
    }
    optional = List.copyOf(sorted);
  }

  /** The three services, no optional participant. */
  public Implementations(Implementation gateway, Implementation worker, Implementation consumer) {
    this(gateway, worker, consumer, List.of());
  }

  /** From languages per role; a role without that language is a clear error. */
  public static Implementations of(Language gateway, Language worker, Language consumer) {
    return new Implementations(
        Implementation.of(Flow.GATEWAY, gateway),
        Implementation.of(Flow.WORKER, worker),
        Implementation.of(Flow.CONSUMER, consumer));
  }

  /** From a report's/run's map (role -> language id); missing roles are java. */
  public static Implementations fromIds(Map<String, String> languages) {
    return of(
        Language.parse(languages.getOrDefault(Flow.GATEWAY, "java")),
        Language.parse(languages.getOrDefault(Flow.WORKER, "java")),
        Language.parse(languages.getOrDefault(Flow.CONSUMER, "java")));
  }

  /**
   * The demo's polyglot matrix: all-Java, each other implementation alone among Java ones (one
   * language boundary at a time), then every role in its non-Java language (one per role, the first
   * declared): {@code java/java/java, go/java/java, java/node/java, java/java/go, go/node/go}.
   */
  public static List<Implementations> matrix() {
    List<Implementations> matrix = new ArrayList<>(List.of(JAVA));
    Map<String, Implementation> allOthers = new LinkedHashMap<>();
    for (Implementation i : Implementation.values()) {
      if (i.language() != Language.JAVA && Flow.SERVICES.contains(i.role())) { // services only: no optional participant
        Map<String, Implementation> roles = new LinkedHashMap<>(JAVA.byRole());
        roles.put(i.role(), i);
        matrix.add(new Implementations(roles.get(Flow.GATEWAY), roles.get(Flow.WORKER), roles.get(Flow.CONSUMER)));
        allOthers.putIfAbsent(i.role(), i);
      }
    }
    Map<String, Implementation> roles = new LinkedHashMap<>(JAVA.byRole());
    roles.putAll(allOthers);
    Implementations polyglot = new Implementations(roles.get(Flow.GATEWAY), roles.get(Flow.WORKER), roles.get(Flow.CONSUMER));
    if (!matrix.contains(polyglot)) {
      matrix.add(polyglot);
    }
    return List.copyOf(matrix);
  }

  private Map<String, Implementation> byRole() {
    Map<String, Implementation> roles = new LinkedHashMap<>();
    for (String role : Flow.SERVICES) {
      roles.put(role, of(role));
    }
    return roles;
  }

  /** The same services with {@code participant} added (replacing another of its role). */
  public Implementations with(Implementation participant) {
    List<Implementation> added = new ArrayList<>(optional);
    added.removeIf(i -> i.role().equals(participant.role()));
    added.add(participant);
    return new Implementations(gateway, worker, consumer, added);
  }

  /** The same services without an optional participant of {@code role}. */
  public Implementations without(String role) {
    List<Implementation> kept = new ArrayList<>(optional);
    kept.removeIf(i -> i.role().equals(role));
    return new Implementations(gateway, worker, consumer, kept);
  }

  /** The same services with the Envoy sidecar in front of the worker ({@code --mesh}). */
  public Implementations withMesh() {
    return with(Implementation.SIDECAR_ENVOY);
  }

  /** True when the worker's inbound hop goes through the Envoy sidecar. */
  public boolean mesh() {
    return has(Flow.SIDECAR);
  }

  /** True when the run has a participant of {@code role} (every service; optional ones if added). */
  public boolean has(String role) {
    return Flow.SERVICES.contains(role) || optional.stream().anyMatch(i -> i.role().equals(role));
  }

  /** Every participant of a request, in flow order: the services and the optional ones present. */
  public List<Implementation> participants() {
    List<Implementation> all = new ArrayList<>(Flow.SERVICES.size() + optional.size());
    for (String role : Flow.PARTICIPANTS) {
      if (has(role)) {
        all.add(of(role));
      }
    }
    return List.copyOf(all);
  }

  public Implementation of(String role) {
    return switch (role) {
      case Flow.GATEWAY -> gateway;
      case Flow.WORKER -> worker;
      case Flow.CONSUMER -> consumer;
      default -> optional.stream()
          .filter(i -> i.role().equals(role))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException(
              Flow.isOptional(role) ? "this run has no " + role : "unknown role " + role));
    };
  }

  public Language languageOf(String role) {
    return of(role).language();
  }

  /** role -> language id of the services, in flow order: the report's {@code "implementations"} object. */
  public Map<String, String> ids() {
    Map<String, String> ids = new LinkedHashMap<>();
    for (String role : Flow.SERVICES) {
      ids.put(role, of(role).language().id());
    }
    return ids;
  }

  /** {@code java/java/java}, {@code go/node/go}: gateway/worker/consumer; {@code +mesh} with the sidecar. */
  public String label() {
    return String.join("/", ids().values()) + (mesh() ? " +mesh" : "");
  }

  private static void check(Implementation i, String role) {
    if (i == null || !i.role().equals(role)) {
      throw new IllegalArgumentException("not an implementation of " + role + ": " + i);
    }
  }
}
