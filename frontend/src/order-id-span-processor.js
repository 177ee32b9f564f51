// SPDX-License-Identifier: Apache-2.0

/*
 * The gateway names the order (its response carries the id), so the page's fetch span cannot
 * know its app.order_id before it ends. This processor holds each order's span from its end
 * until the page has read the id from the response, then passes it on with app.order_id (the
 * attribute the lab groups a request's traces by). Any other span passes straight through.
 */

export const ORDER_ID = 'app.order_id';

/** `span` as the exporter reads it, with one more attribute. */
export function withAttribute(span, key, value) {
  const attributes = Object.freeze({ ...span.attributes, [key]: value });
  return new Proxy(span, {
    get(target, property) {
      if (property === 'attributes') {
        return attributes;
      }
      const v = Reflect.get(target, property, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

export class OrderIdSpanProcessor {
  /** @param next the processor that exports (e.g. a SimpleSpanProcessor) */
  constructor(next) {
    this.next = next;
    this.held = new Map(); // spanId -> ended span, or null while it runs
    this.ids = new Map(); // spanId -> order id learnt before the span ended
  }

  /** The span `spanId` is an order's: hold it when it ends, until {@link resolve}. */
  expect(spanId) {
    this.held.set(spanId, null);
  }

  /** The order id of span `spanId` (undefined: the order failed; the span goes on without it). */
  resolve(spanId, orderId) {
    if (!this.held.has(spanId)) {
      return;
    }
    const span = this.held.get(spanId);
    if (span === null) {
      this.ids.set(spanId, orderId); // still running: applied when it ends
      return;
    }
    this.held.delete(spanId);
    this.pass(span, orderId);
  }

  onStart(span, parentContext) {
    this.next.onStart(span, parentContext);
  }

  onEnd(span) {
    const spanId = span.spanContext().spanId;
    if (this.ids.has(spanId)) {
      const orderId = this.ids.get(spanId);
      this.ids.delete(spanId);
      this.held.delete(spanId);
      this.pass(span, orderId);
    } else if (this.held.has(spanId)) {
      this.held.set(spanId, span);
    } else {
      this.next.onEnd(span);
    }
  }

  pass(span, orderId) {
    this.next.onEnd(orderId === undefined ? span : withAttribute(span, ORDER_ID, orderId));
  }

  /** Ended spans still held go on as they are; then the next processor flushes. */
  forceFlush() {
    for (const [spanId, span] of this.held) {
      if (span !== null) {
        this.held.delete(spanId);
        this.next.onEnd(span);
      }
    }
    return this.next.forceFlush();
  }

  shutdown() {
    return this.forceFlush().then(() => this.next.shutdown());
  }
}
