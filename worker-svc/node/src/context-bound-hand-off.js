// SPDX-License-Identifier: Apache-2.0

/**
 * FIX for the async boundary. The deferred work runs on a job-queue loop that was started at boot;
 * after its `await` that loop is back in its own (empty) context, not the request's. Binding the
 * job to `context.active()` when it is submitted makes the request's context (its server span)
 * active again while the job runs, so the deferred-work span is a child of `POST /work`.
 * The defect this replaces is broken-variants/node/bare-hand-off.js.
 */
import { context } from '@opentelemetry/api';

/** @param {import('./job-queue.js').JobQueue} queue */
export function contextBoundHandOff(queue) {
  return {
    /** @param {(signal: AbortSignal) => Promise<unknown>} job */
    submit(job) {
      // tracelab:exercise async begin
      queue.push(context.bind(context.active(), job));
      // tracelab:exercise async end
    },
    close: (graceMs) => queue.close(graceMs),
  };
}
