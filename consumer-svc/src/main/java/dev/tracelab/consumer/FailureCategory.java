// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;

/**
 * Why a record could not be processed; the value is the {@code app.failure.category} span attribute
 * and the {@code tracelab.failure.category} header of its dead-letter record.
 */
enum FailureCategory {
  /** A transient failure that persisted through every retry. */
  RETRYABLE_EXHAUSTED("retryable-exhausted"),
  /** Malformed or invalid: retrying cannot help, so it is dead-lettered at once. */
  POISON("poison"),
  /** Attempts that timed out, through every retry. */
  TIMEOUT("timeout");

  private final String value;

  FailureCategory(String value) {
    this.value = value;
  }

  String value() {
    return value;
  }

  /**
   * The category of a failure: an {@link IllegalArgumentException} (the order cannot be read, or is
   * invalid) is poison; a timeout (Java's, Kafka's or a socket's) is a timeout; anything else is
   * taken as transient, since retrying a bounded number of times costs little and a record that
   * keeps failing ends on the dead-letter topic anyway.
   */
  static FailureCategory of(Throwable failure) {
    if (failure instanceof IllegalArgumentException) {
      return POISON;
    }
    if (failure instanceof TimeoutException
        || failure instanceof SocketTimeoutException
        || failure instanceof org.apache.kafka.common.errors.TimeoutException) {
      return TIMEOUT;
    }
    return RETRYABLE_EXHAUSTED;
  }

  boolean retryable() {
    return this != POISON;
  }
}
