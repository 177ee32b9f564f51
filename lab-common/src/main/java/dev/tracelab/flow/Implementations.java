package dev.tracelab.flow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which language each role runs in (docs/design.md §7): one {@link Implementation} per role, in
 * flow order. {@link #JAVA} is the default; {@link #POLYGLOT} is {@code --polyglot} (go/node/go).
 */
public record Implementations(Implementation gateway, Implementation worker, Implementation consumer) {

  public static final Implementations JAVA =
      new Implementations(Implementation.GATEWAY_JAVA, Implementation.WORKER_JAVA, Implementation.CONSUMER_JAVA);
  public static final Implementations POLYGLOT =
      new Implementations(Implementation.GATEWAY_GO, Implementation.WORKER_NODE, Implementation.CONSUMER_GO);

  public Implementations {
    check(gateway, Flow.GATEWAY);
    check(worker, Flow.WORKER);
    check(consumer, Flow.CONSUMER);
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

  public Implementation of(String role) {
    return switch (role) {
      case Flow.GATEWAY -> gateway;
      case Flow.WORKER -> worker;
      case Flow.CONSUMER -> consumer;
      default -> throw new IllegalArgumentException("unknown role " + role);
    };
  }

  public Language languageOf(String role) {
    return of(role).language();
  }

  /** role -> language id, in flow order: the report's {@code "implementations"} object. */
  public Map<String, String> ids() {
    Map<String, String> ids = new LinkedHashMap<>();
    for (String role : Flow.SERVICES) {
      ids.put(role, of(role).language().id());
    }
    return ids;
  }

  /** {@code java/java/java}, {@code go/node/go}: gateway/worker/consumer. */
  public String label() {
    return String.join("/", ids().values());
  }

  private static void check(Implementation i, String role) {
    if (i == null || !i.role().equals(role)) {
      throw new IllegalArgumentException("not an implementation of " + role + ": " + i);
    }
  }
}
