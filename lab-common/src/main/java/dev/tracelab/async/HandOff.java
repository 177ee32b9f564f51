// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.async;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The worker's in-process async boundary: hands deferred work to another thread. The fixed variant
 * ({@code ContextBoundHandOff}) carries the current trace context with the task; the broken one
 * ({@code broken-variants/.../RawExecutorHandOff}) does not.
 */
public interface HandOff extends AutoCloseable {

  void submit(Runnable task);

  /** Stops accepting work and waits briefly for running tasks. */
  @Override
  void close();

  /** Shuts a pool down, letting running tasks finish for up to five seconds. */
  static void shutdown(ExecutorService pool) {
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdownNow();
  }
}
