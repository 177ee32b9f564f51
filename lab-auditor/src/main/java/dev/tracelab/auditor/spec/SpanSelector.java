// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.spec;

import dev.tracelab.auditor.trace.ReceivedSpan;
import io.opentelemetry.api.trace.SpanKind;
import java.util.Locale;

/**
 * Which spans a part of a flow spec means: a service, and optionally a kind and a span name
 * (docs/design.md §11.1). Names compare without case: some backends (Zipkin) store them lowercase.
 *
 * @param kind null for any kind
 * @param name null for any name
 */
public record SpanSelector(String service, SpanKind kind, String name) {

  public SpanSelector {
    if (service == null || service.isBlank()) {
      throw new IllegalArgumentException("a span selector needs a service");
    }
  }

  /** {@code service}, {@code service:KIND} or {@code service:KIND:name}. */
  public static SpanSelector parse(String text) {
    String[] parts = text.split(":", 3);
    SpanKind kind = parts.length > 1 && !parts[1].isEmpty() ? kind(parts[1]) : null;
    return new SpanSelector(parts[0].trim(), kind, parts.length > 2 ? parts[2] : null);
  }

  static SpanKind kind(String text) {
    try {
      return SpanKind.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "kind must be SERVER, CLIENT, PRODUCER, CONSUMER or INTERNAL, was '" + text + "'");
    }
  }

  public boolean matches(ReceivedSpan span) {
    return matches(span.service(), span.kind(), span.name());
  }

  public boolean matches(String service, SpanKind kind, String name) {
    return this.service.equals(service)
        && (this.kind == null || this.kind == kind)
        && (this.name == null || this.name.equalsIgnoreCase(name));
  }

  @Override
  public String toString() {
    return service + (kind == null ? "" : ":" + kind) + (name == null ? "" : ":" + name);
  }
}
