// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor.otlp;

import java.util.Objects;

/**
 * An OTLP export the receiver will not take, and why: the {@link Kind} decides what the exporter is
 * told (over gRPC, see {@link OtlpGrpcServer}) and so whether it sends the data again. A signal,
 * not a failure: it carries no stack trace.
 */
public final class OtlpRejection extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why an export is rejected. */
  public enum Kind {
    /** The request cannot be used as sent; sending it again cannot help (not retryable). */
    MALFORMED,
    /** The receiver is full right now (e.g. over its memory budget); retryable later. */
    OVERLOADED
  }

  private final Kind kind;

  /**
   * @param kind why the export is rejected
   * @param message what the exporter is told (the gRPC status description)
   */
  public OtlpRejection(Kind kind, String message) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** Why the export is rejected. */
  public Kind kind() {
    return kind;
  }
}
