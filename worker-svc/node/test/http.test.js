// SPDX-License-Identifier: Apache-2.0

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { spans } from './instrument.js';
import { get, ORDER, post, recordingProducer, startTestWorker } from './support.js';

describe('worker HTTP API on loopback', () => {
  let worker;
  let producer;
  before(async () => {
    producer = recordingProducer();
    worker = await startTestWorker({ producer });
  });
  after(() => worker.close());
  beforeEach(() => spans.reset());

  it('answers POST /work with 202 once the deferred work has sent the order', async () => {
    const response = await post(worker, '/work', ORDER);
    assert.deepEqual(response, { status: 202, contentType: 'application/json', json: { orderId: 'order-1', accepted: true } });
    assert.deepEqual(producer.sent, [ORDER]);
    assert.deepEqual((await spans.waitFor(2)).map((s) => s.name).sort(), ['POST /work', 'order.prepare']);
  });

  const invalid = [
    ['not JSON', '{"orderId":', 'body is not valid JSON', undefined],
    ['a JSON array', '[1]', 'body must be a JSON object', undefined],
    ['no orderId', { sku: 'ABC-1', quantity: 2 }, 'invalid field(s): orderId', [{ pointer: '#/orderId', detail: 'orderId: is required' }]],
    ['quantity 0', { ...ORDER, quantity: 0 }, 'invalid field(s): quantity', [{ pointer: '#/quantity', detail: 'quantity: must be an integer from 1 to 1000' }]],
    ['a bad sku and delayMs', { ...ORDER, sku: 'no spaces', delayMs: 60001 }, 'invalid field(s): sku, delayMs', [
      { pointer: '#/sku', detail: 'sku: must be 1-64 characters of A-Z, a-z, 0-9 and -' },
      { pointer: '#/delayMs', detail: 'delayMs: must be an integer from 0 to 60000' },
    ]],
    ['a body over 16 KiB', { ...ORDER, padding: 'x'.repeat(16 * 1024) }, 'body too large; the limit is 16384 bytes', undefined],
  ];
  for (const [name, body, detail, errors] of invalid) {
    it(`answers ${name} with 400 application/problem+json naming the field`, async () => {
      const response = await post(worker, '/work', body);
      const expected = { type: 'about:blank', title: 'Bad Request', status: 400, detail, instance: '/work' };
      if (errors) {
        expected.errors = errors;
      }
      assert.deepEqual(response, { status: 400, contentType: 'application/problem+json', json: expected });
      // the rejected request is still a traced request: one SERVER span, no deferred work
      const [server] = await spans.waitFor(1);
      assert.equal(server.name, 'POST /work');
      assert.equal(server.attributes['http.response.status_code'], 400);
    });
  }

  for (const contentType of ['application/jsonx', 'application/json-patch+json', 'text/plain']) {
    it(`answers a ${contentType} body with 415 application/problem+json and sends nothing`, async () => {
      const sent = producer.sent.length;
      const response = await post(worker, '/work', ORDER, { 'content-type': contentType });
      assert.deepEqual(response, {
        status: 415,
        contentType: 'application/problem+json',
        json: {
          type: 'about:blank',
          title: 'Unsupported Media Type',
          status: 415,
          detail: `Content-Type must be application/json, was ${contentType}`,
          instance: '/work',
        },
      });
      assert.equal(producer.sent.length, sent);
      const [server] = await spans.waitFor(1);
      assert.equal(server.attributes['http.response.status_code'], 415);
    });
  }

  it('takes application/json with charset utf-8', async () => {
    const response = await post(worker, '/work', { ...ORDER, orderId: 'utf-8' }, { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(response.status, 202);
  });

  it('answers GET /health with 200 and no span', async () => {
    assert.deepEqual(await get(worker, '/health'), { status: 200, contentType: 'application/json', json: { status: 'UP' } });
    await post(worker, '/work', '[]'); // a traced request after it: its span is the only one
    const finished = await spans.waitFor(1);
    assert.deepEqual(finished.map((s) => s.name), ['POST /work']);
    assert.equal(finished[0].attributes['url.path'], '/work');
  });

  it('answers an unknown route with a 404 problem and no span', async () => {
    assert.deepEqual(await get(worker, '/work?x=1'), {
      status: 404,
      contentType: 'application/problem+json',
      json: { type: 'about:blank', title: 'Not Found', status: 404, detail: 'no route GET /work', instance: '/work' },
    });
    await post(worker, '/work', '[]');
    assert.deepEqual((await spans.waitFor(1)).map((s) => s.name), ['POST /work']);
  });
});
