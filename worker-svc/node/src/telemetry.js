// SPDX-License-Identifier: Apache-2.0

/**
 * The worker's OpenTelemetry SDK, built from the standard OTEL_* environment variables, and the
 * one place where anything is registered globally.
 *
 * Nothing here has side effects on import: `createTelemetry` builds a TracerProvider and a
 * propagator (no globals), `registerTelemetry` does the registrations the Node libraries require
 * (the AsyncLocalStorage context manager, the propagator, the HTTP and kafkajs instrumentations,
 * which receive the TracerProvider explicitly). The process entry `instrument.js`, loaded with
 * `node --import`, calls both before the service's modules load.
 */
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { OrderIdSpanProcessor } from './order-id-span-processor.js';

export const SERVICE_NAME = 'worker-svc';

/** The only route that is traced; everything else (GET /health, 404s) produces no span. */
export const TRACED_ROUTE = Object.freeze({ method: 'POST', path: '/work' });

/**
 * Lab defaults, each overridable by its OTEL_* variable. A short batch delay keeps a trace's spans
 * arriving well within a second of the request finishing (the Java services use the same).
 */
const DEFAULTS = Object.freeze({
  OTEL_SERVICE_NAME: SERVICE_NAME,
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_PROPAGATORS: 'tracecontext,baggage',
  OTEL_BSP_SCHEDULE_DELAY: '100',
  OTEL_BSP_MAX_QUEUE_SIZE: '20480',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512',
  OTEL_BSP_EXPORT_TIMEOUT: '30000',
});

/**
 * @typedef {object} Telemetry
 * @property {BasicTracerProvider} tracerProvider
 * @property {import('@opentelemetry/api').TextMapPropagator} propagator
 * @property {() => Promise<void>} shutdown flushes every span processor, then stops them
 */

/**
 * Builds the SDK. `spanProcessors` replaces the exporter pipeline chosen by
 * OTEL_TRACES_EXPORTER (tests pass an in-memory exporter); the order-id stamper always runs first.
 * The OTLP exporter reads its own standard variables (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT,
 * _HEADERS, _TIMEOUT) and speaks OTLP/HTTP protobuf. OTEL_SDK_DISABLED=true turns the SDK off: a
 * provider that samples nothing and has no processor (no span recorded or exported); the
 * propagator still carries an incoming context on.
 *
 * @param {{ env?: Record<string, string|undefined>, spanProcessors?: import('@opentelemetry/sdk-trace-base').SpanProcessor[] }} [options]
 * @returns {Telemetry}
 */
export function createTelemetry({ env = process.env, spanProcessors } = {}) {
  const setting = (name) => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? DEFAULTS[name] : value.trim();
  };
  const resource = resourceFromAttributes({
    ...resourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES),
    [ATTR_SERVICE_NAME]: setting('OTEL_SERVICE_NAME'),
  });
  const tracerProvider = sdkDisabled(env)
    ? new BasicTracerProvider({ resource, sampler: new AlwaysOffSampler(), spanProcessors: [] })
    : new BasicTracerProvider({
        resource,
        spanProcessors: [new OrderIdSpanProcessor(), ...(spanProcessors ?? exportPipeline(setting))],
      });
  return {
    tracerProvider,
    propagator: createPropagator(setting('OTEL_PROPAGATORS')),
    shutdown: () => tracerProvider.shutdown(),
  };
}

/**
 * OTEL_SDK_DISABLED=true (any case), the standard switch that turns the SDK off.
 *
 * @param {Record<string, string|undefined>} env
 * @returns {boolean}
 */
export function sdkDisabled(env) {
  return (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
}

/**
 * The registrations the libraries require, done once per process: the AsyncLocalStorage context
 * manager (what carries the active span across `await`), the propagator the HTTP and kafkajs
 * instrumentations inject/extract with, and the instrumentations themselves, bound to this
 * telemetry's TracerProvider (no global TracerProvider is set).
 *
 * @param {Telemetry} telemetry
 * @returns {() => void} undoes the registrations
 */
export function registerTelemetry(telemetry) {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(contextManager)) {
    throw new Error('a global context manager is already registered');
  }
  propagation.setGlobalPropagator(telemetry.propagator);
  const unregisterInstrumentations = registerInstrumentations({
    tracerProvider: telemetry.tracerProvider,
    instrumentations: [
      new HttpInstrumentation({
        // the worker calls no HTTP service; the OTLP exporter's own requests are never traced
        disableOutgoingRequestInstrumentation: true,
        ignoreIncomingRequestHook: (request) => !isTracedRoute(request),
      }),
      new KafkaJsInstrumentation(),
    ],
  });
  return () => {
    unregisterInstrumentations();
    propagation.disable();
    context.disable();
  };
}

function isTracedRoute(request) {
  const path = (request.url ?? '').split('?', 1)[0];
  return request.method === TRACED_ROUTE.method && path === TRACED_ROUTE.path;
}

function exportPipeline(setting) {
  const batch = (exporter) =>
    new BatchSpanProcessor(exporter, {
      scheduledDelayMillis: Number(setting('OTEL_BSP_SCHEDULE_DELAY')),
      maxQueueSize: Number(setting('OTEL_BSP_MAX_QUEUE_SIZE')),
      maxExportBatchSize: Number(setting('OTEL_BSP_MAX_EXPORT_BATCH_SIZE')),
      exportTimeoutMillis: Number(setting('OTEL_BSP_EXPORT_TIMEOUT')),
    });
  return setting('OTEL_TRACES_EXPORTER')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .flatMap((name) => {
      switch (name) {
        case 'otlp':
          return [batch(new OTLPTraceExporter())];
        case 'console':
          return [batch(new ConsoleSpanExporter())];
        case 'none':
          return [];
        default:
          throw new Error(`OTEL_TRACES_EXPORTER: unsupported exporter '${name}' (otlp, console or none)`);
      }
    });
}

/** OTEL_PROPAGATORS: tracecontext, baggage, b3 (single header), b3multi, none. */
export function createPropagator(names) {
  const propagators = names
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'none')
    .map((name) => {
      switch (name) {
        case 'tracecontext':
          return new W3CTraceContextPropagator();
        case 'baggage':
          return new W3CBaggagePropagator();
        case 'b3':
          return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
        case 'b3multi':
          return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
        default:
          throw new Error(`OTEL_PROPAGATORS: unsupported propagator '${name}' (tracecontext, baggage, b3, b3multi or none)`);
      }
    });
  return new CompositePropagator({ propagators });
}

/** OTEL_RESOURCE_ATTRIBUTES: comma-separated key=value pairs, values percent-encoded. */
function resourceAttributes(raw) {
  const attributes = {};
  for (const pair of (raw ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) {
      attributes[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
    }
  }
  return attributes;
}
