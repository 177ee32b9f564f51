// SPDX-License-Identifier: Apache-2.0

/*
 * DEFECT (async, worker-svc): the deferred work is submitted to a raw ExecutorService. Trace
 *   context lives in a thread-local of the request thread; the pool thread that runs the task has
 *   none, so Context.current() there is the empty root context.
 * SYMPTOM: the deferred-work span "order.prepare" (flow step 4) starts a NEW trace, and the
 *   producer and consumer spans follow it there. One request = two traces:
 *   {POST /orders, POST, POST /work} and {order.prepare, send orders, process orders}.
 *   The auditor reports step 4 as an orphan root on worker-svc: async boundary (1/3 of worker spans).
 * FIX: worker-svc/src/main/java/dev/tracelab/worker/ContextBoundHandOff.java binds the submitting
 *   thread's context to the task (Context.taskWrapping(executor)).
 * SWITCH: worker-svc with TRACELAB_VARIANT=broken (CLI: --worker broken; scenario broken-async).
 */
package dev.tracelab.broken;

import dev.tracelab.async.HandOff;
import java.util.concurrent.ExecutorService;

public final class RawExecutorHandOff implements HandOff {

  private final ExecutorService pool;

  private RawExecutorHandOff(ExecutorService pool) {
    this.pool = pool;
  }

  public static RawExecutorHandOff wrap(ExecutorService pool) {
    return new RawExecutorHandOff(pool);
  }

  @Override
  public void submit(Runnable task) {
    pool.execute(task); // THE BUG: the task runs without the submitter's context
  }

  @Override
  public void close() {
    HandOff.shutdown(pool);
  }
}
