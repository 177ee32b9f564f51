package dev.tracelab.flow;

import java.util.Locale;

/**
 * Which implementation of its boundary a service runs: the fix, the deliberate defect, or (the
 * consumer only) the fix that joins its trace to the producer's by a span link instead of a parent
 * (docs/design.md §8).
 */
public enum Variant {
  FIXED("fixed"),
  BROKEN("broken"),
  /** Consumer only: the process span starts a new trace linked to the producer span. */
  LINKED("linked"),
  /**
   * Consumer only, a defect: the subscription opens one span at start and parents every record's
   * process span under it for its whole life (one trace that grows with uptime).
   */
  LIFECYCLE("lifecycle"),
  /**
   * Consumer only, the fix of {@link #LIFECYCLE}: each record's process span continues its request
   * (a bounded trace), carries the subscription's identity as attributes and links to its start
   * span.
   */
  LIFECYCLE_FIXED("lifecycle-fixed");

  /** Environment variable a service process reads. */
  public static final String ENV = "TRACELAB_VARIANT";

  private final String id;

  Variant(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /**
   * True when {@code service} has this variant (fixed and broken: every service; the rest: the
   * consumer).
   */
  public boolean appliesTo(String service) {
    return this == FIXED || this == BROKEN || Flow.CONSUMER.equals(service);
  }

  /**
   * Parses {@code fixed}, {@code broken}, {@code linked}, {@code lifecycle} or {@code
   * lifecycle-fixed}; anything else is a clear error.
   */
  public static Variant parse(String value) {
    if (value == null || value.isBlank()) {
      return FIXED;
    }
    for (Variant v : values()) {
      if (v.id().equals(value.trim().toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unknown variant '"
            + value
            + "' (expected fixed, broken, linked, lifecycle or lifecycle-fixed)");
  }
}
