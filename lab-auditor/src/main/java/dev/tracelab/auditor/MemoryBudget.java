// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.auditor;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admission control by bytes in flight: every OTLP request holds permits (one per byte) for its
 * compressed body, its inflated body and an estimate of its decoded spans, taken step by step as
 * the sizes become known and all given back when the request is answered. A step that does not fit
 * is refused at once (never waits), so the auditor answers 429 with {@code Retry-After}, as the
 * collector's memory limiter refuses data, instead of running out of heap.
 */
final class MemoryBudget {

  private final int limitBytes;
  private final Semaphore permits;
  private final AtomicLong refusals = new AtomicLong();

  MemoryBudget(int limitBytes) {
    this.limitBytes = limitBytes;
    this.permits = new Semaphore(limitBytes);
  }

  /** What one request holds; close it (once) when the request is answered. */
  final class Lease implements AutoCloseable {
    private int held;

    /** Takes {@code bytes} more, or returns false (holding what it held) when they do not fit. */
    boolean grow(long bytes) {
      if (bytes <= 0) {
        return true;
      }
      if (bytes > limitBytes || !permits.tryAcquire((int) bytes)) {
        refusals.incrementAndGet();
        return false;
      }
      held += (int) bytes;
      return true;
    }

    @Override
    public void close() {
      permits.release(held);
      held = 0;
    }
  }

  Lease lease() {
    return new Lease();
  }

  int limitBytes() {
    return limitBytes;
  }

  long inFlightBytes() {
    return limitBytes - (long) permits.availablePermits();
  }

  /** Requests refused because their next step did not fit. */
  long refusals() {
    return refusals.get();
  }
}
