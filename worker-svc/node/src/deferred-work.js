// SPDX-License-Identifier: Apache-2.0

/**
 * The deferred work: an INTERNAL span `order.prepare`, child of whatever context is active when
 * the job runs (the request's, when the hand-off carried it), which waits `delayMs` and produces
 * the order; it settles when Kafka acknowledged the order (the request answers 202 then) and
 * rejects when it was not sent. The span ends on every path; a failure is recorded on it.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { setTimeout as sleep } from 'node:timers/promises';
import { ATTR_APP_ORDER_ID } from './order-id-span-processor.js';

export const DEFERRED_WORK = 'order.prepare';

/**
 * @param {{ tracer: import('@opentelemetry/api').Tracer, producer: { send(order: object): Promise<void> } }} deps
 * @returns {(order: import('./order.js').Order, signal?: AbortSignal, answered?: AbortSignal) => Promise<void>}
 *   `signal` aborts the work (the queue is closing); `answered` aborted means the request was
 *   already answered 503, so the order must not be sent any more
 */
export function deferredWork({ tracer, producer }) {
  return (order, signal, answered) =>
    tracer.startActiveSpan(
      DEFERRED_WORK,
      {
        attributes: {
          [ATTR_APP_ORDER_ID]: order.orderId,
          'app.order.sku': order.sku,
          'app.order.quantity': order.quantity,
        },
      },
      async (span) => {
        try {
          if (order.delayMs > 0) {
            await sleep(order.delayMs, undefined, { signal });
          }
          if (answered?.aborted) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: 'not sent: the request was answered 503 before the send began' });
            return;
          }
          await producer.send(order);
        } catch (e) {
          span.recordException(e);
          span.setStatus({ code: SpanStatusCode.ERROR, message: e.name === 'AbortError' ? 'interrupted' : e.message });
          span.setAttribute('error.type', e.name ?? 'Error');
          console.error(`worker-svc: order ${order.orderId} NOT produced to orders (it was not answered 202): ${e.message}`);
          throw e;
        } finally {
          span.end();
        }
      },
    );
}
