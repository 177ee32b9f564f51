// SPDX-License-Identifier: Apache-2.0

import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { beforeEach, describe, it } from 'node:test';
import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { createPropagator, createTelemetry, sdkDisabled } from '../src/telemetry.js';
import { spans, telemetry } from './instrument.js';

const SPAN_CONTEXT = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };

function injected(names) {
  const carrier = {};
  createPropagator(names).inject(trace.setSpanContext(ROOT_CONTEXT, SPAN_CONTEXT), carrier, defaultTextMapSetter);
  return carrier;
}

describe('propagators from OTEL_PROPAGATORS', () => {
  it('tracecontext,baggage (the default) writes traceparent', () => {
    assert.deepEqual(injected('tracecontext,baggage'), { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
  });

  it('b3multi writes and reads the X-B3 headers', () => {
    const carrier = injected('b3multi');
    assert.deepEqual(carrier, {
      'x-b3-traceid': '4bf92f3577b34da6a3ce929d0e0e4736',
      'x-b3-spanid': '00f067aa0ba902b7',
      'x-b3-sampled': '1',
    });
    const extracted = trace.getSpanContext(createPropagator('b3multi').extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
    assert.equal(extracted.traceId, SPAN_CONTEXT.traceId);
    assert.equal(extracted.spanId, SPAN_CONTEXT.spanId);
  });

  it('b3 writes the single header; none writes nothing', () => {
    assert.deepEqual(injected('b3'), { b3: '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1' });
    assert.deepEqual(injected('none'), {});
  });

  it('an unknown propagator or exporter is an error naming the variable', () => {
    assert.throws(() => createPropagator('tracecontext,xray'), /^Error: OTEL_PROPAGATORS: unsupported propagator 'xray'/);
    assert.throws(() => createTelemetry({ env: { OTEL_TRACES_EXPORTER: 'jaeger' } }), /^Error: OTEL_TRACES_EXPORTER: unsupported exporter 'jaeger'/);
  });

  it('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES shape the resource; worker-svc by default', async () => {
    const named = createTelemetry({ env: { OTEL_TRACES_EXPORTER: 'none', OTEL_SERVICE_NAME: 'w2', OTEL_RESOURCE_ATTRIBUTES: 'a=1,b=x%20y' } });
    assert.deepEqual(resourceOf(named), { a: '1', b: 'x y', 'service.name': 'w2' });
    const plain = createTelemetry({ env: { OTEL_TRACES_EXPORTER: 'none' } });
    assert.equal(resourceOf(plain)['service.name'], 'worker-svc');
    await Promise.all([named.shutdown(), plain.shutdown()]);
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('true (any case) turns the SDK off: nothing recorded or sampled, even with processors given', async () => {
    /** @type {Array<{ value: string, disabled: boolean }>} */
    const cases = [
      { value: 'true', disabled: true },
      { value: ' TRUE ', disabled: true },
      { value: 'false', disabled: false },
      { value: '', disabled: false },
      { value: '1', disabled: false },
    ];
    for (const { value, disabled } of cases) {
      assert.equal(sdkDisabled({ OTEL_SDK_DISABLED: value }), disabled, value);
      const t = createTelemetry({ env: { OTEL_TRACES_EXPORTER: 'none', OTEL_SDK_DISABLED: value } });
      const span = t.tracerProvider.getTracer('t').startSpan('probe');
      assert.equal(span.isRecording(), !disabled, value);
      assert.equal((span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED, !disabled, value);
      span.end();
      await t.shutdown();
    }
    assert.equal(sdkDisabled({}), false);
  });
});

/** The resource a provider stamps on its spans, read from one span. */
function resourceOf(t) {
  const span = t.tracerProvider.getTracer('t').startSpan('probe');
  span.end();
  return span.resource.attributes;
}

describe('spans', () => {
  beforeEach(() => spans.reset());

  it('a child started under a span with app.order_id carries it too', async () => {
    const tracer = telemetry.tracerProvider.getTracer('test');
    tracer.startActiveSpan('parent', { attributes: { 'app.order_id': 'o-9' } }, (parent) => {
      tracer.startSpan('child').end();
      tracer.startSpan('own', { attributes: { 'app.order_id': 'o-10' } }).end();
      parent.end();
    });
    const finished = await spans.waitFor(3);
    assert.deepEqual(finished.map((s) => [s.name, s.attributes['app.order_id']]), [
      ['child', 'o-9'],
      ['own', 'o-10'],
      ['parent', 'o-9'],
    ]);
  });

  it('outgoing HTTP calls (such as the OTLP exporter\'s) make no span', async () => {
    const server = http.createServer((request, response) => response.end('ok')).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const tracer = telemetry.tracerProvider.getTracer('test');
    await tracer.startActiveSpan('only', async (span) => {
      await new Promise((resolve, reject) => {
        http.get(`http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/v1/traces`, (response) => response.resume().on('end', resolve)).on('error', reject);
      });
      span.end();
    });
    server.close();
    assert.deepEqual((await spans.waitFor(1)).map((s) => s.name), ['only']);
    assert.equal(context.active(), ROOT_CONTEXT);
  });
});
