// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The language a service implementation is written in (docs/design.md §7). */
public enum Language {
  JAVA,
  GO,
  NODE,
  /** Envoy, the sidecar proxy of {@code --mesh}: no lab code, the upstream binary. */
  CPP,
  /** JavaScript in the browser: the page of {@code frontend/}; not a service the lab starts. */
  BROWSER;

  /**
   * The id the CLI, env ({@code GATEWAY_LANG} ...) and reports use: {@code java}, {@code go},
   * {@code node}.
   */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a language id; anything else is a clear error. */
  public static Language parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (Language l : values()) {
      if (l.id().equals(v)) {
        return l;
      }
    }
    throw new IllegalArgumentException(
        "unknown language '"
            + value
            + "' (expected one of "
            + Arrays.stream(values()).map(Language::id).collect(Collectors.joining(", "))
            + ")");
  }
}
