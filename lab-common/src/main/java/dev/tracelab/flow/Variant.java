// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import java.util.Locale;
import java.util.stream.Collectors;

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
   * True when {@code service} has this variant: {@code fixed} every service; a defect's variant the
   * services the defect catalog ({@link Defects}) has it for; the rest (the consumer's {@code
   * linked} and {@code lifecycle-fixed}) the consumer.
   */
  public boolean appliesTo(String service) {
    if (this == FIXED) {
      return true;
    }
    boolean isDefect = Defects.ALL.stream().anyMatch(d -> id.equals(d.variant()));
    return isDefect
        ? Defects.ALL.stream().anyMatch(d -> id.equals(d.variant()) && d.role().equals(service))
        : Flow.CONSUMER.equals(service);
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
            + "' (expected one of "
            + java.util.Arrays.stream(values()).map(Variant::id).collect(Collectors.joining(", "))
            + ")");
  }
}
