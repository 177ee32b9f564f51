// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which implementation (language) each participant of the flow runs (docs/design.md §7): one {@link
 * Implementation} per role, in flow order ({@link Flow#PARTICIPANTS}). The three services are
 * always there; an optional participant ({@link Flow#OPTIONAL}: the browser page before the
 * gateway, the Envoy sidecar in front of the worker) only when added with {@link #with}. {@link
 * #JAVA} is the default; {@link #POLYGLOT} is {@code --polyglot} (go/node/go). {@link ExpectedFlow}
 * composes the expected trace over {@link #participants()}.
 */
public final class Implementations {

  // declared first, and built from Flow's compile-time constants only: initialising this class
  // must not initialise Flow, whose JAVA flow is built from JAVA below
  static final List<String> PARTICIPANTS =
      List.of(Flow.FRONTEND, Flow.GATEWAY, Flow.SIDECAR, Flow.WORKER, Flow.CONSUMER);
  static final java.util.Set<String> OPTIONAL = java.util.Set.of(Flow.FRONTEND, Flow.SIDECAR);

  /** How {@link #label()} names an optional participant: {@code +frontend}, {@code +mesh}. */
  private static final Map<String, String> OPTIONAL_LABELS =
      Map.of(Flow.FRONTEND, "frontend", Flow.SIDECAR, "mesh");

  private static final List<String> SERVICES = List.of(Flow.GATEWAY, Flow.WORKER, Flow.CONSUMER);

  public static final Implementations JAVA =
      new Implementations(
          Implementation.GATEWAY_JAVA, Implementation.WORKER_JAVA, Implementation.CONSUMER_JAVA);
  public static final Implementations POLYGLOT =
      new Implementations(
          Implementation.GATEWAY_GO, Implementation.WORKER_NODE, Implementation.CONSUMER_GO);

  /** role -> implementation, in {@link Flow#PARTICIPANTS} order. */
  private final Map<String, Implementation> byRole;

  public Implementations(Implementation gateway, Implementation worker, Implementation consumer) {
    this(services(gateway, worker, consumer));
  }

  private Implementations(Map<String, Implementation> byRole) {
    Map<String, Implementation> ordered = new LinkedHashMap<>();
    for (String role : PARTICIPANTS) {
      Implementation i = byRole.get(role);
      if (i != null) {
        check(i, role);
        ordered.put(role, i);
      } else if (!OPTIONAL.contains(role)) {
        throw new IllegalArgumentException("no implementation of " + role);
      }
    }
    this.byRole = Collections.unmodifiableMap(ordered);
  }

  private static Map<String, Implementation> services(
      Implementation gateway, Implementation worker, Implementation consumer) {
    Map<String, Implementation> m = new LinkedHashMap<>();
    m.put(Flow.GATEWAY, require(gateway, Flow.GATEWAY));
    m.put(Flow.WORKER, require(worker, Flow.WORKER));
    m.put(Flow.CONSUMER, require(consumer, Flow.CONSUMER));
    return m;
  }

  /** From languages per role; a role without that language is a clear error. */
  public static Implementations of(Language gateway, Language worker, Language consumer) {
    return new Implementations(
        Implementation.of(Flow.GATEWAY, gateway),
        Implementation.of(Flow.WORKER, worker),
        Implementation.of(Flow.CONSUMER, consumer));
  }

  /**
   * From a report's/run's map (role -> language id): missing services are java; an optional
   * participant takes part when the map names it.
   */
  public static Implementations fromIds(Map<String, String> languages) {
    Implementations services =
        of(
            Language.parse(languages.getOrDefault(Flow.GATEWAY, "java")),
            Language.parse(languages.getOrDefault(Flow.WORKER, "java")),
            Language.parse(languages.getOrDefault(Flow.CONSUMER, "java")));
    for (String role : OPTIONAL) {
      if (languages.containsKey(role)) {
        services = services.with(Implementation.of(role, Language.parse(languages.get(role))));
      }
    }
    return services;
  }

  /**
   * These implementations with {@code implementation} taking part in its role (added or replaced).
   */
  public Implementations with(Implementation implementation) {
    Map<String, Implementation> m = new LinkedHashMap<>(byRole);
    m.put(implementation.role(), implementation);
    return new Implementations(m);
  }

  /** These implementations without the optional participant {@code role}. */
  public Implementations without(String role) {
    if (!OPTIONAL.contains(role)) {
      throw new IllegalArgumentException(
          role + " is not an optional participant (optional: " + OPTIONAL + ")");
    }
    Map<String, Implementation> m = new LinkedHashMap<>(byRole);
    m.remove(role);
    return new Implementations(m);
  }

  /** The same services with the Envoy sidecar in front of the worker ({@code --mesh}). */
  public Implementations withMesh() {
    return with(Implementation.SIDECAR_ENVOY);
  }

  /** True when the worker's inbound hop goes through the Envoy sidecar. */
  public boolean mesh() {
    return has(Flow.SIDECAR);
  }

  /**
   * The demo's polyglot matrix: all-Java, each other implementation alone among Java ones (one
   * language boundary at a time), then every role in its non-Java language (one per role, the first
   * declared): {@code java/java/java, go/java/java, java/node/java, java/java/go, go/node/go}.
   */
  public static List<Implementations> matrix() {
    List<Implementations> matrix = new ArrayList<>(List.of(JAVA));
    Implementations allOthers = JAVA;
    for (Implementation i : Implementation.values()) {
      if (i.language() != Language.JAVA
          && SERVICES.contains(i.role())) { // services only: no optional participant
        matrix.add(JAVA.with(i));
        if (allOthers.of(i.role()).language() == Language.JAVA) {
          allOthers = allOthers.with(i);
        }
      }
    }
    if (!matrix.contains(allOthers)) {
      matrix.add(allOthers);
    }
    return List.copyOf(matrix);
  }

  /** Only the three services (no optional participant). */
  public Implementations servicesOnly() {
    Implementations s = this;
    for (String role : OPTIONAL) {
      if (s.has(role)) {
        s = s.without(role);
      }
    }
    return s;
  }

  public Implementation gateway() {
    return byRole.get(Flow.GATEWAY);
  }

  public Implementation worker() {
    return byRole.get(Flow.WORKER);
  }

  public Implementation consumer() {
    return byRole.get(Flow.CONSUMER);
  }

  /** True when {@code role} takes part in this flow (always, for the three services). */
  public boolean has(String role) {
    return byRole.containsKey(role);
  }

  /** The participating implementations, in flow order. */
  public List<Implementation> participants() {
    return List.copyOf(byRole.values());
  }

  /** The participating roles, in flow order. */
  public List<String> roles() {
    return List.copyOf(byRole.keySet());
  }

  public Implementation of(String role) {
    Implementation i = byRole.get(role);
    if (i == null) {
      throw new IllegalArgumentException(
          PARTICIPANTS.contains(role)
              ? role + " does not take part in " + label()
              : "unknown role " + role);
    }
    return i;
  }

  public Language languageOf(String role) {
    return of(role).language();
  }

  /** role -> language id, in flow order: the report's {@code "implementations"} object. */
  public Map<String, String> ids() {
    Map<String, String> ids = new LinkedHashMap<>();
    byRole.forEach((role, i) -> ids.put(role, i.language().id()));
    return ids;
  }

  /**
   * {@code java/java/java}, {@code go/node/go}: gateway/worker/consumer; an optional participant is
   * appended, e.g. {@code java/java/java +frontend}, {@code go/node/go +mesh}.
   */
  public String label() {
    List<String> services = new ArrayList<>();
    for (String role : SERVICES) {
      services.add(languageOf(role).id());
    }
    StringBuilder sb = new StringBuilder(String.join("/", services));
    for (String role : byRole.keySet()) {
      if (OPTIONAL.contains(role)) {
        sb.append(" +").append(OPTIONAL_LABELS.get(role));
      }
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Implementations other && byRole.equals(other.byRole);
  }

  @Override
  public int hashCode() {
    return Objects.hash(byRole);
  }

  @Override
  public String toString() {
    return "Implementations" + byRole;
  }

  private static Implementation require(Implementation i, String role) {
    if (i == null) {
      throw new IllegalArgumentException("not an implementation of " + role + ": null");
    }
    return i;
  }

  private static void check(Implementation i, String role) {
    if (!i.role().equals(role)) {
      throw new IllegalArgumentException("not an implementation of " + role + ": " + i);
    }
  }
}
