// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A combination of variants, and what it must produce (docs/design.md §3). */
public enum Scenario {
  FIXED("fixed", Kind.NONE),
  /** The catalog's defects of scenario {@code broken-http} (docs/design.md §3). */
  BROKEN_HTTP("broken-http", Kind.CATALOG),
  BROKEN_ASYNC("broken-async", Kind.CATALOG),
  BROKEN_KAFKA("broken-kafka", Kind.CATALOG),
  /** Every service runs its {@code broken} variant. */
  ALL_BROKEN("all-broken", Kind.ALL_BROKEN),
  /** Every service fixed; the gateway propagates only B3 (b3multi), the worker reads only W3C. */
  BROKEN_PROPAGATORS("broken-propagators", Kind.CATALOG),
  /**
   * Every boundary propagates; the consumer runs {@link Variant#LINKED}: its process span starts a
   * new trace linked to the producer span (docs/design.md §8). Two traces per request, no orphan.
   */
  LINKED_KAFKA("linked-kafka", Kind.NONE, EnumSet.of(Boundary.KAFKA));

  /** The propagators every service runs unless a scenario says otherwise (OTEL_PROPAGATORS). */
  public static final String DEFAULT_PROPAGATORS = "tracecontext,baggage";

  /** Where a scenario's broken boundaries come from. */
  private enum Kind {
    NONE,
    /** The defects of the catalog ({@link Defects}) whose scenario this is. */
    CATALOG,
    /** Every boundary a service's {@code broken} variant breaks. */
    ALL_BROKEN
  }

  private final String id;
  private final Kind kind;
  private final Set<Boundary> linked;

  Scenario(String id, Kind kind) {
    this(id, kind, EnumSet.noneOf(Boundary.class));
  }

  Scenario(String id, Kind kind, Set<Boundary> linked) {
    this.id = id;
    this.kind = kind;
    this.linked = linked;
  }

  public String id() {
    return id;
  }

  /** The boundaries this scenario breaks, from the defect catalog. */
  public Set<Boundary> brokenBoundaries() {
    return switch (kind) {
      case NONE -> EnumSet.noneOf(Boundary.class);
      case CATALOG -> Defects.brokenBy(id);
      case ALL_BROKEN -> Defects.brokenByVariant(Variant.BROKEN.id());
    };
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
    Set<Boundary> broken = brokenBoundaries();
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
    propagators.putAll(Defects.propagatorsOf(id));
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
    cuts.addAll(brokenBoundaries());
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

  /** Every scenario's id, comma-separated: {@code fixed, broken-http, ...}. */
  public static String ids() {
    return java.util.Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(", "));
  }

  /** Parses a scenario id such as {@code broken-http}; unknown ids are a clear error. */
  public static Scenario parse(String value) {
    for (Scenario s : values()) {
      if (s.id.equals(value)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown scenario '" + value + "' (expected one of " + ids() + ")");
  }
}
