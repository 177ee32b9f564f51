// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.flow;

import java.util.Locale;

/**
 * How the services are instrumented (docs/design.md §14, {@code --instrumentation sdk|agent}).
 *
 * <ul>
 *   <li>{@code sdk} (default): each service's own OpenTelemetry SDK and its hand-written
 *       boundaries, nothing else.
 *   <li>{@code agent}: the same services with the same SDK code, plus zero-code instrumentation:
 *       the Java services run as child JVMs under the OpenTelemetry Java agent ({@code
 *       -javaagent}), the Node.js worker with {@code @opentelemetry/auto-instrumentations-node}. Go
 *       has no zero-code instrumentation: a Go role keeps {@code sdk}.
 * </ul>
 */
public enum Instrumentation {
  SDK,
  AGENT;

  /** {@code sdk} or {@code agent}: what the CLI, the reports and the flow model name. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** What a role in {@code language} actually runs under this mode: Go always {@code sdk}. */
  public Instrumentation of(Language language) {
    return this == AGENT && (language == Language.JAVA || language == Language.NODE) ? AGENT : SDK;
  }

  /** Parses {@code sdk} or {@code agent}; anything else is a clear error. */
  public static Instrumentation parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (Instrumentation i : values()) {
      if (i.id().equals(v)) {
        return i;
      }
    }
    throw new IllegalArgumentException("unknown instrumentation '" + value + "' (sdk or agent)");
  }
}
