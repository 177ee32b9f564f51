// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.consumer;

import java.time.Duration;

/**
 * Bounded in-place retries with exponential backoff: attempt {@code n} (from 1) that fails waits
 * {@code initialBackoff * 2^(n-1)} before attempt {@code n+1}; after {@code maxAttempts} the record
 * is dead-lettered.
 */
record RetryPolicy(int maxAttempts, Duration initialBackoff) {

  /** 4 attempts, 100/200/400 ms apart: under a second in all, well inside max.poll.interval.ms. */
  static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(100));

  RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts " + maxAttempts + " < 1");
    }
  }

  Duration backoffAfter(int attempt) {
    return initialBackoff.multipliedBy(1L << Math.min(attempt - 1, 20));
  }
}
