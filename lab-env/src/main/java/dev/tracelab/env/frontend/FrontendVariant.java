// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.env.frontend;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which propagation allowlist the page runs (frontend/src/propagation.js): the fix, or one of the
 * two defects of {@code broken-variants/frontend/}.
 */
public enum FrontendVariant {
  /** Only the lab's API origin is on the allowlist. */
  FIXED("fixed"),
  /**
   * A catch-all allowlist: the third party receives the trace context (connected traces; a leak).
   */
  LEAK("leak"),
  /**
   * The API origin is not listed: its requests carry no context (the gateway span is an orphan
   * root).
   */
  MISSING_ENTRY("missing-entry");

  private final String id;

  FrontendVariant(String id) {
    this.id = id;
  }

  /** The id the page, the CLI and run setups use. */
  public String id() {
    return id;
  }

  public static FrontendVariant parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (FrontendVariant f : values()) {
      if (f.id.equals(v)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown frontend variant '"
            + value
            + "' (expected one of "
            + Arrays.stream(values()).map(FrontendVariant::id).collect(Collectors.joining(", "))
            + ")");
  }
}
