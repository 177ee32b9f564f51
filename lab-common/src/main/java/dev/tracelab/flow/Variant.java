package dev.tracelab.flow;

import java.util.Locale;

/**
 * Which implementation of its boundary a service runs: the fix, the deliberate defect, or (the
 * consumer only) the fix that joins its trace to the producer's by a span link instead of a parent
 * (docs/design.md §8).
 */
public enum Variant {
  FIXED,
  BROKEN,
  /** Consumer only: the process span starts a new trace linked to the producer span. */
  LINKED;

  /** Environment variable a service process reads. */
  public static final String ENV = "TRACELAB_VARIANT";

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when {@code service} has this variant (only the consumer has {@link #LINKED}). */
  public boolean appliesTo(String service) {
    return this != LINKED || Flow.CONSUMER.equals(service);
  }

  /** Parses {@code fixed}, {@code broken} or {@code linked}; anything else is a clear error. */
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
        "unknown variant '" + value + "' (expected fixed, broken or linked)");
  }
}
