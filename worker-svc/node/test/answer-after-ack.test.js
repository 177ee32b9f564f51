// SPDX-License-Identifier: Apache-2.0

/**
 * The worker answers 202 only once Kafka has acknowledged the order (a worker killed after its 202
 * has nothing left to lose), and 503 problem+json with Retry-After when the send fails or is not
 * acknowledged in time. The deferred work still runs on the job queue (fixed and broken hand-off
 * alike); the request only waits for its outcome. Every span ends on every path.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { spans } from './instrument.js';
import { ORDER, recordingProducer, startTestWorker } from './support.js';

/** A producer whose sends wait until the test acknowledges or fails them, like a broker. */
function gatedProducer() {
  const pending = [];
  let notify = () => {};
  return {
    pending,
    /** Resolves once `count` sends are waiting for their acknowledgement. */
    waitForPending(count) {
      return pending.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => {
            notify = () => pending.length >= count && resolve();
          });
    },
    /** @returns {Promise<void>} */
    send(order) {
      return new Promise((acknowledge, fail) => {
        pending.push({ order, acknowledge, fail });
        notify();
      });
    },
    async close() {},
  };
}

function postWork(worker, order = ORDER) {
  return fetch(`http://127.0.0.1:${worker.port}/work`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
}

/** Whether `promise` is still unsettled after `ms`. */
async function stillPending(promise, ms) {
  const timedOut = Symbol('pending');
  let timer;
  const outcome = await Promise.race([
    promise.then(() => 'settled', () => 'settled'),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms, timedOut);
    }),
  ]);
  clearTimeout(timer);
  return outcome === timedOut;
}

describe('answer after the acknowledgement', () => {
  let worker;
  beforeEach(() => spans.reset());
  afterEach(() => worker?.close());

  for (const variant of /** @type {const} */ (['fixed', 'broken'])) {
    it(`${variant}: answers 202 only after the broker acknowledged the order`, async () => {
      const producer = gatedProducer();
      worker = await startTestWorker({ variant, producer });

      const answer = postWork(worker);
      await producer.waitForPending(1);
      assert.equal(await stillPending(answer, 300), true, 'no answer before the acknowledgement');
      producer.pending[0].acknowledge();

      const response = await answer;
      assert.equal(response.status, 202);
      assert.deepEqual(await response.json(), { orderId: 'order-1', accepted: true });
      assert.deepEqual((await spans.waitFor(2)).map((s) => s.name).sort(), ['POST /work', 'order.prepare']);
    });
  }

  it('answers a failed send with 503 problem+json and Retry-After, not 202', async () => {
    const producer = gatedProducer();
    worker = await startTestWorker({ producer });

    const answer = postWork(worker);
    await producer.waitForPending(1);
    producer.pending[0].fail(new TypeError('broker gone'));

    const response = await answer;
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.equal(response.headers.get('retry-after'), '1');
    const body = /** @type {{ detail: string }} */ (await response.json());
    assert.match(body.detail, /^order order-1 NOT accepted: the send to Kafka failed: broker gone/);
    const finished = await spans.waitFor(2);
    const server = finished.find((s) => s.name === 'POST /work');
    const deferred = finished.find((s) => s.name === 'order.prepare');
    assert.equal(server.attributes['http.response.status_code'], 503);
    assert.equal(server.status.code, SpanStatusCode.ERROR);
    assert.equal(deferred.parentSpanContext.spanId, server.spanContext().spanId);
    assert.deepEqual(deferred.status, { code: SpanStatusCode.ERROR, message: 'broker gone' });
  });

  it('answers 503 when the acknowledgement does not come within delayMs + the bound', async () => {
    const producer = gatedProducer();
    worker = await startTestWorker({ producer, ackTimeoutMs: 200 });

    const response = await postWork(worker, { ...ORDER, delayMs: 100 });

    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '1');
    assert.match(/** @type {{ detail: string }} */ (await response.json()).detail, /NOT accepted: Kafka did not acknowledge it within 300 ms/);
    assert.equal(producer.pending.length, 1);
    producer.pending[0].fail(new Error('delivery timeout')); // the producer gives up too: the span ends
    const finished = await spans.waitFor(2);
    assert.deepEqual(finished.map((s) => s.name).sort(), ['POST /work', 'order.prepare']);
  });

  it('does not send an order whose request was already answered 503', async () => {
    const producer = recordingProducer();
    // the deferred work waits delayMs; the request's bound (delayMs + ackTimeoutMs) ends first only
    // if the job starts late: a saturated queue, modelled by a queue of one busy with a slow order
    worker = await startTestWorker({ producer, ackTimeoutMs: 100, deferredLoops: 1 });
    const slow = postWork(worker, { ...ORDER, orderId: 'slow', delayMs: 400 });
    const late = await postWork(worker, { ...ORDER, orderId: 'late' });

    assert.equal(late.status, 503);
    assert.equal((await slow).status, 202);
    assert.deepEqual(producer.sent.map((o) => o.orderId), ['slow']);
    const finished = await spans.waitFor(4);
    const notSent = finished.find((s) => s.name === 'order.prepare' && s.attributes['app.order_id'] === 'late');
    assert.equal(notSent.status.code, SpanStatusCode.ERROR);
  });
});
