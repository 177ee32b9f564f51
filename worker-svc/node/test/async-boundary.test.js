// SPDX-License-Identifier: Apache-2.0

/**
 * The async boundary, span by span: the SERVER span `POST /work` and the deferred-work span
 * `order.prepare`, with the fix (context bound at submit) and with the defect (job queued bare).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { spans } from './instrument.js';
import { ORDER, post, recordingProducer, startTestWorker } from './support.js';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` };

/** The two spans of one accepted order, by name, once both ended. */
async function serverAndDeferred() {
  const finished = await spans.waitFor(2);
  assert.deepEqual(finished.map((s) => s.name).sort(), ['POST /work', 'order.prepare']);
  return [finished.find((s) => s.name === 'POST /work'), finished.find((s) => s.name === 'order.prepare')];
}

describe('async boundary', () => {
  let worker;
  beforeEach(() => spans.reset());
  afterEach(() => worker?.close());

  it('fixed: order.prepare is a child of POST /work, in the caller\'s trace', async () => {
    worker = await startTestWorker({ variant: 'fixed' });
    assert.equal((await post(worker, '/work', ORDER, TRACEPARENT)).status, 202);
    const [server, deferred] = await serverAndDeferred();

    assert.equal(server.kind, SpanKind.SERVER);
    assert.equal(server.spanContext().traceId, CALLER_TRACE);
    assert.equal(server.parentSpanContext.spanId, CALLER_SPAN);
    assert.equal(server.parentSpanContext.isRemote, true);
    assert.equal(server.attributes['http.route'], '/work');
    assert.equal(server.attributes['app.order_id'], 'order-1');
    assert.equal(server.resource.attributes['service.name'], 'worker-svc');

    assert.equal(deferred.kind, SpanKind.INTERNAL);
    assert.equal(deferred.spanContext().traceId, CALLER_TRACE);
    assert.equal(deferred.parentSpanContext.spanId, server.spanContext().spanId);
    assert.deepEqual(deferred.attributes, { 'app.order_id': 'order-1', 'app.order.sku': 'ABC-1', 'app.order.quantity': 2 });
    assert.equal(deferred.status.code, SpanStatusCode.UNSET);
  });

  it('broken: order.prepare starts a new trace, the order id still on both fragments', async () => {
    worker = await startTestWorker({ variant: 'broken' });
    assert.equal((await post(worker, '/work', ORDER, TRACEPARENT)).status, 202);
    const [server, deferred] = await serverAndDeferred();

    assert.equal(server.spanContext().traceId, CALLER_TRACE);
    assert.equal(server.parentSpanContext.spanId, CALLER_SPAN);
    assert.equal(deferred.parentSpanContext, undefined);
    assert.notEqual(deferred.spanContext().traceId, CALLER_TRACE);
    assert.equal(server.attributes['app.order_id'], 'order-1');
    assert.equal(deferred.attributes['app.order_id'], 'order-1');
  });

  it('fixed: concurrent orders each keep their own parent', async () => {
    worker = await startTestWorker({ variant: 'fixed' });
    const orders = Array.from({ length: 40 }, (_, i) => ({ ...ORDER, orderId: `order-${i}`, delayMs: i % 3 }));
    await Promise.all(orders.map((order) => post(worker, '/work', order)));
    const finished = await spans.waitFor(80);
    assert.equal(finished.length, 80);
    for (const order of orders) {
      const mine = finished.filter((s) => s.attributes['app.order_id'] === order.orderId);
      const server = mine.find((s) => s.name === 'POST /work');
      const deferred = mine.find((s) => s.name === 'order.prepare');
      assert.equal(mine.length, 2);
      assert.equal(deferred.parentSpanContext.spanId, server.spanContext().spanId);
      assert.equal(deferred.spanContext().traceId, server.spanContext().traceId);
    }
  });

  it('honours delayMs before producing', async () => {
    const producer = recordingProducer();
    worker = await startTestWorker({ producer });
    const started = performance.now();
    assert.equal((await post(worker, '/work', { ...ORDER, delayMs: 300 })).status, 202);
    assert.equal(producer.sent.length, 1, 'the 202 comes after the send');
    assert.ok(performance.now() - started >= 300, 'produced after delayMs');
    const [, deferred] = await serverAndDeferred();
    const durationMs = deferred.duration[0] * 1000 + deferred.duration[1] / 1e6;
    assert.ok(durationMs >= 299, `order.prepare lasted ${durationMs} ms`);
  });

  it('records a failed send on order.prepare and still ends it', async () => {
    worker = await startTestWorker({ producer: recordingProducer({ failWith: new TypeError('broker gone') }) });
    assert.equal((await post(worker, '/work', ORDER)).status, 503);
    const [, deferred] = await serverAndDeferred();
    assert.deepEqual(deferred.status, { code: SpanStatusCode.ERROR, message: 'broker gone' });
    assert.equal(deferred.attributes['error.type'], 'TypeError');
    assert.deepEqual(deferred.events.map((e) => [e.name, e.attributes['exception.type'], e.attributes['exception.message']]), [
      ['exception', 'TypeError', 'broker gone'],
    ]);
  });

  it('close() aborts deferred work still waiting after the grace period, ending its span', async () => {
    const producer = recordingProducer();
    worker = await startTestWorker({ producer, shutdownGraceMs: 50 });
    const started = spans.waitForStarted('order.prepare');
    const answer = post(worker, '/work', { ...ORDER, delayMs: 60000 });
    await started;
    await worker.close();
    worker = undefined;
    const response = await answer;
    assert.equal(response.status, 503, 'the waiting request is answered: not accepted');
    assert.match(response.json.detail, /NOT accepted: the send to Kafka failed: /);
    const [, deferred] = await serverAndDeferred();
    assert.deepEqual(deferred.status, { code: SpanStatusCode.ERROR, message: 'interrupted' });
    assert.deepEqual(producer.sent, []);
  });
});
