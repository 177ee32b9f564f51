// SPDX-License-Identifier: Apache-2.0

package dev.tracelab.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Copies {@code app.order_id} from an in-process parent span onto each new child, so spans made by
 * generic code (the HTTP client wrapper, the producer) carry the order id without knowing it. Spans
 * that start a service's part of the flow (server, deferred work, consumer) set it themselves from
 * the payload, which is what keeps fragments findable when lineage breaks.
 */
enum OrderIdSpanProcessor implements SpanProcessor {
  INSTANCE;

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    Span parent = Span.fromContext(parentContext);
    if (parent instanceof ReadableSpan readable
        && span.getAttribute(AppAttributes.ORDER_ID) == null) {
      String orderId = readable.getAttribute(AppAttributes.ORDER_ID);
      if (orderId != null) {
        span.setAttribute(AppAttributes.ORDER_ID, orderId);
      }
    }
  }

  @Override
  public boolean isStartRequired() {
    return true;
  }

  @Override
  public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan span) {}

  @Override
  public boolean isEndRequired() {
    return false;
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
