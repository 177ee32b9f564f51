// SPDX-License-Identifier: Apache-2.0

import { trace } from '@opentelemetry/api';

/** @typedef {import('@opentelemetry/sdk-trace-base').SpanProcessor} SpanProcessor */

/** The lab's own span attribute: on every span of the flow, so a request's fragments can be found. */
export const ATTR_APP_ORDER_ID = 'app.order_id';

/**
 * Copies `app.order_id` from an in-process parent span onto each new child, so spans made by
 * generic code (the Kafka producer instrumentation) carry the order id without knowing it.
 * Spans that start the service's part of the flow (the server span, the deferred work) set it
 * themselves from the payload, which keeps fragments findable when lineage breaks.
 *
 * @implements {SpanProcessor}
 */
export class OrderIdSpanProcessor {
  /**
   * @param {import('@opentelemetry/sdk-trace-base').Span} span
   * @param {import('@opentelemetry/api').Context} parentContext
   */
  onStart(span, parentContext) {
    const parent = /** @type {{ attributes?: import('@opentelemetry/api').Attributes } | undefined} */ (
      trace.getSpan(parentContext)
    );
    // a local SDK span exposes its attributes; a remote parent (NonRecordingSpan) does not
    const orderId = parent?.attributes?.[ATTR_APP_ORDER_ID];
    if (orderId !== undefined && span.attributes[ATTR_APP_ORDER_ID] === undefined) {
      span.setAttribute(ATTR_APP_ORDER_ID, orderId);
    }
  }

  onEnding() {}

  onEnd() {}

  forceFlush() {
    return Promise.resolve();
  }

  shutdown() {
    return Promise.resolve();
  }
}
