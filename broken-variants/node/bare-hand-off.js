// SPDX-License-Identifier: Apache-2.0

/*
 * DEFECT (async, worker-svc, Node): the deferred work is queued bare on the worker's job queue.
 *   Node carries trace context in AsyncLocalStorage along the async chain that *awaits*; the
 *   queue's worker loops were started at boot, so when a loop resumes after its `await` and runs
 *   the job, the active context is the loop's boot-time (empty) context, not the request's.
 * SYMPTOM: the deferred-work span "order.prepare" (flow step 4) starts a NEW trace, and the
 *   producer span "send orders" and the consumer follow it there. One request = two traces:
 *   {POST /orders, POST, POST /work} and {order.prepare, send orders, process orders}.
 *   The auditor reports step 4 as an orphan root on worker-svc: async boundary (1/3 of worker spans).
 * FIX: worker-svc/node/src/context-bound-hand-off.js binds the submitter's context to the job
 *   (context.bind(context.active(), job)).
 * SWITCH: the Node worker-svc with TRACELAB_VARIANT=broken (CLI: --worker-lang node --worker broken;
 *   scenario broken-async).
 */

/** @param {{ push(job: Function): void, close(graceMs?: number): Promise<void> }} queue */
export function bareHandOff(queue) {
  return {
    submit(job) {
      queue.push(job); // THE BUG: the job runs in the queue loop's context, not the request's
    },
    close: (graceMs) => queue.close(graceMs),
  };
}
