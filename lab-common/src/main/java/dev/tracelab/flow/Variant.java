package dev.tracelab.flow;

import java.util.Locale;

/** Which implementation of its boundary a service runs. */
public enum Variant {
  FIXED,
  BROKEN;

  /** Environment variable a service process reads. */
  public static final String ENV = "TRACELAB_VARIANT";

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code fixed} or {@code broken}; anything else is a clear error. */
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
        "unknown variant '" + value + "' (expected fixed or broken)");
  }
}
