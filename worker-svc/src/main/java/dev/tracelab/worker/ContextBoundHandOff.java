// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.worker;

import dev.tracelab.async.HandOff;
import io.opentelemetry.context.Context;
import java.util.concurrent.ExecutorService;

/**
 * FIX for the async boundary. {@link Context#taskWrapping(ExecutorService)} captures {@code
 * Context.current()} when a task is submitted and makes it current again while the task runs on the
 * pool thread, so the deferred-work span is a child of the request's server span. The defect this
 * replaces is {@code broken-variants/src/main/java/dev/tracelab/broken/RawExecutorHandOff.java}.
 */
final class ContextBoundHandOff implements HandOff {

  private final ExecutorService pool;
  private final ExecutorService contextBound;

  private ContextBoundHandOff(ExecutorService pool) {
    this.pool = pool;
    // tracelab:exercise async begin
    this.contextBound = Context.taskWrapping(pool);
    // tracelab:exercise async end
  }

  static ContextBoundHandOff wrap(ExecutorService pool) {
    return new ContextBoundHandOff(pool);
  }

  @Override
  public void submit(Runnable task) {
    contextBound.execute(task);
  }

  @Override
  public void close() {
    HandOff.shutdown(pool);
  }
}
