package dev.tracelab.flow;

import java.util.LinkedHashMap;
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
