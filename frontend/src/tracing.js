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
import { orderIdOf } from './order.js';
import { allowlistFor } from './propagation.js';

export const SERVICE_NAME = 'frontend';

/** Starts tracing for the page described by `config`; returns the provider (flush/shutdown). */
export function startTracing(config) {
  const telemetryUrl = new URL(config.telemetryPath, window.location.origin).href;
  const provider = new WebTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE_NAME }),
    // one span per order: exported when it ends, so the lab sees it while the request's trace is open
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: telemetryUrl }))],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new FetchInstrumentation({
        propagateTraceHeaderCorsUrls: allowlistFor(config.variant, config),
        ignoreUrls: [telemetryUrl],
        applyCustomAttributesOnSpan(span, init) {
          const orderId = orderIdOf(init);
          if (orderId) {
            span.setAttribute('app.order_id', orderId);
          }
        },
      }),
    ],
  });
  return provider;
}
