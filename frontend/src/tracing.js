// SPDX-License-Identifier: Apache-2.0

/*
 * The page's OpenTelemetry setup, the only place that registers anything globally: the fetch
 * instrumentation reads the global propagator when it injects, so the W3C trace-context
 * propagator is registered here, once. Spans go over OTLP/HTTP (JSON) to the lab's telemetry
 * path on the page's own origin, which forwards them to the lab's OTLP endpoint.
 */
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { isOrderRequest } from './order.js';
import { OrderIdSpanProcessor } from './order-id-span-processor.js';
import { allowlistFor } from './propagation.js';

export const SERVICE_NAME = 'frontend';

/**
 * Starts tracing for the page described by `config`. Returns the provider (flush) and
 * `orderPlaced(init, orderId)`, which the page calls once the response named the order.
 */
export function startTracing(config) {
  const telemetryUrl = new URL(config.telemetryPath, window.location.origin).href;
  // one span per order, exported as soon as its order id is known (the request's trace is open)
  const orders = new OrderIdSpanProcessor(new SimpleSpanProcessor(new OTLPTraceExporter({ url: telemetryUrl })));
  const spanOfInit = new WeakMap(); // fetch init of an order -> its span id
  const provider = new WebTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE_NAME }),
    spanProcessors: [orders],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new FetchInstrumentation({
        propagateTraceHeaderCorsUrls: allowlistFor(config.variant, config),
        ignoreUrls: [telemetryUrl],
        requestHook(span, init) {
          if (isOrderRequest(init)) {
            const spanId = span.spanContext().spanId;
            spanOfInit.set(init, spanId);
            orders.expect(spanId);
          }
        },
      }),
    ],
  });
  return {
    provider,
    orderPlaced(init, orderId) {
      const spanId = spanOfInit.get(init);
      if (spanId) {
        orders.resolve(spanId, orderId);
      }
    },
  };
}
