// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.input;

/**
 * Names of the Jaeger and Zipkin tags that carry a span's status, and of those that a translation
 * from OTLP adds and that are not span attributes.
 */
final class Tags {

  /**
   * Jaeger's error flag ({@code true}); in Zipkin, present (with a message) when the span failed.
   */
  static final String ERROR = "error";

  /** The OTLP status code, {@code OK} or {@code ERROR}. */
  static final String STATUS_CODE = "otel.status_code";

  private Tags() {}

  /**
   * True for a tag a translation from OTLP adds and that is not read as an attribute: the status
   * ({@code otel.status_code}, {@code otel.status_description}), the scope ({@code otel.scope.*})
   * and Jaeger's {@code internal.span.format}.
   */
  static boolean translated(String key) {
    return key.equals(STATUS_CODE)
        || key.equals("otel.status_description")
        || key.equals("internal.span.format")
        || key.startsWith("otel.scope.");
  }
}
