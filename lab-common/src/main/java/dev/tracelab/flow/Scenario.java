package dev.tracelab.flow;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A combination of variants, and what it must produce (docs/design.md §3). */
public enum Scenario {
  FIXED("fixed", EnumSet.noneOf(Boundary.class)),
  BROKEN_HTTP("broken-http", EnumSet.of(Boundary.HTTP)),
  BROKEN_ASYNC("broken-async", EnumSet.of(Boundary.ASYNC)),
  BROKEN_KAFKA("broken-kafka", EnumSet.of(Boundary.KAFKA)),
  ALL_BROKEN("all-broken", EnumSet.of(Boundary.HTTP, Boundary.ASYNC, Boundary.KAFKA)),
  /** Every service fixed; the gateway propagates only B3 (b3multi), the worker reads only W3C. */
  BROKEN_PROPAGATORS("broken-propagators", EnumSet.of(Boundary.PROPAGATORS)),
  /**
   * Every boundary propagates; the consumer runs {@link Variant#LINKED}: its process span starts a
   * new trace linked to the producer span (docs/design.md §8). Two traces per request, no orphan.
   */
  LINKED_KAFKA("linked-kafka", EnumSet.noneOf(Boundary.class), EnumSet.of(Boundary.KAFKA));

  /** The propagators every service runs unless a scenario says otherwise (OTEL_PROPAGATORS). */
  public static final String DEFAULT_PROPAGATORS = "tracecontext,baggage";

  private final String id;
  private final Set<Boundary> broken;
  private final Set<Boundary> linked;

  Scenario(String id, Set<Boundary> broken) {
    this(id, broken, EnumSet.noneOf(Boundary.class));
  }

  Scenario(String id, Set<Boundary> broken, Set<Boundary> linked) {
    this.id = id;
    this.broken = broken;
    this.linked = linked;
  }

  public String id() {
    return id;
  }

  public Set<Boundary> brokenBoundaries() {
    return broken;
  }

  /**
   * Boundaries crossed by a span link instead of a parent: the next span starts a new trace that
   * links to its expected parent. Not broken: no orphan.
   */
  public Set<Boundary> linkedBoundaries() {
    return linked;
  }

  /** The variant each service runs, in flow order of services. */
  public Map<String, Variant> variants() {
    Map<String, Variant> variants = new LinkedHashMap<>();
    for (String service : Flow.SERVICES) {
      boolean isBroken =
          broken.stream().anyMatch(b -> !b.isConfiguration() && b.brokenBy().equals(service));
      boolean isLinked = linked.stream().anyMatch(b -> b.brokenBy().equals(service));
      variants.put(service, isBroken ? Variant.BROKEN : isLinked ? Variant.LINKED : Variant.FIXED);
    }
    return variants;
  }

  /** OTEL_PROPAGATORS per service (flow order) in this scenario. */
  public Map<String, String> propagators() {
    Map<String, String> propagators = new LinkedHashMap<>();
    for (String service : Flow.SERVICES) {
      propagators.put(service, DEFAULT_PROPAGATORS);
    }
    if (broken.contains(Boundary.PROPAGATORS)) {
      propagators.put(Boundary.PROPAGATORS.brokenBy(), "b3multi");
      propagators.put(Boundary.PROPAGATORS.orphanService(), "tracecontext");
    }
    return propagators;
  }

  public Variant variantOf(String service) {
    return variants().get(service);
  }

  /**
   * The trace fragments one all-Java request must produce: lists of flow steps, each list one
   * trace. A broken or linked boundary makes its next step start a new fragment; {@code fixed} is
   * one fragment of all six.
   */
  public List<List<Integer>> expectedFragments() {
    return expectedFragments(Flow.JAVA);
  }

  /** The trace fragments one request must produce in {@code flow}'s implementations. */
  public List<List<Integer>> expectedFragments(ExpectedFlow flow) {
    Set<Boundary> cuts = EnumSet.noneOf(Boundary.class);
    cuts.addAll(broken);
    cuts.addAll(linked);
    return flow.fragments(cuts);
  }

  /** The scenario whose variants are exactly these, if any. */
  public static Scenario of(Variant gateway, Variant worker, Variant consumer) {
    for (Scenario s : values()) {
      Map<String, Variant> v = s.variants();
      if (v.get(Flow.GATEWAY) == gateway
          && v.get(Flow.WORKER) == worker
          && v.get(Flow.CONSUMER) == consumer) {
        return s;
      }
    }
    return null;
  }

  /** Parses a scenario id such as {@code broken-http}; unknown ids are a clear error. */
  public static Scenario parse(String value) {
    for (Scenario s : values()) {
      if (s.id.equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown scenario '"
            + value
            + "' (expected one of "
            + java.util.Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(", "))
            + ")");
  }
}
