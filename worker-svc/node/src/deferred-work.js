/**
 * The work done after the 202: an INTERNAL span `order.prepare`, child of whatever context is
 * active when the job runs (the request's, when the hand-off carried it), which waits `delayMs`
 * and produces the order. The span ends on every path; a failure is recorded on it.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { setTimeout as sleep } from 'node:timers/promises';
import { ATTR_APP_ORDER_ID } from './order-id-span-processor.js';

export const DEFERRED_WORK = 'order.prepare';

/**
 * @param {{ tracer: import('@opentelemetry/api').Tracer, producer: { send(order: object): Promise<void> } }} deps
 * @returns {(order: import('./order.js').Order, signal?: AbortSignal) => Promise<void>}
 */
export function deferredWork({ tracer, producer }) {
  return (order, signal) =>
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
          await producer.send(order);
        } catch (e) {
          span.recordException(e);
          span.setStatus({ code: SpanStatusCode.ERROR, message: e.name === 'AbortError' ? 'interrupted' : e.message });
          span.setAttribute('error.type', e.name ?? 'Error');
          console.error(`worker-svc: order ${order.orderId} accepted but NOT produced to orders: ${e.message}`);
        } finally {
          span.end();
        }
      },
    );
}
