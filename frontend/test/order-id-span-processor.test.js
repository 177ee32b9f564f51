// SPDX-License-Identifier: Apache-2.0

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderIdSpanProcessor, withAttribute } from '../src/order-id-span-processor.js';

function span(spanId, attributes = {}) {
  return { name: 'POST', attributes, spanContext: () => ({ spanId }) };
}

function recorder() {
  const ended = [];
  return {
    ended,
    onStart() {},
    onEnd(s) { ended.push({ id: s.spanContext().spanId, attributes: s.attributes, name: s.name }); },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

test('an order span that ends first is held until its id is known, then exported with it', () => {
  const next = recorder();
  const p = new OrderIdSpanProcessor(next);
  p.expect('a');
  p.onEnd(span('a', { 'http.request.method': 'POST' }));
  assert.deepEqual(next.ended, []);
  p.resolve('a', 'order-1');
  assert.deepEqual(next.ended, [{ id: 'a', name: 'POST', attributes: { 'http.request.method': 'POST', 'app.order_id': 'order-1' } }]);
});

test('an id known before the span ends is applied when it ends', () => {
  const next = recorder();
  const p = new OrderIdSpanProcessor(next);
  p.expect('b');
  p.resolve('b', 'order-2');
  assert.deepEqual(next.ended, []);
  p.onEnd(span('b'));
  assert.deepEqual(next.ended, [{ id: 'b', name: 'POST', attributes: { 'app.order_id': 'order-2' } }]);
});

test('other spans pass straight through; a failed order goes on without an id; flush releases held spans', async () => {
  const next = recorder();
  const p = new OrderIdSpanProcessor(next);
  p.onEnd(span('x'));
  p.expect('c');
  p.onEnd(span('c'));
  p.resolve('c', undefined);
  p.expect('d');
  p.onEnd(span('d'));
  await p.forceFlush();
  assert.deepEqual(next.ended.map((e) => [e.id, e.attributes]), [['x', {}], ['c', {}], ['d', {}]]);
  p.resolve('d', 'late'); // nothing held any more: ignored
  assert.equal(next.ended.length, 3);
});

test('the wrapped span keeps its methods and other fields', () => {
  const s = { name: 'POST', attributes: { a: 1 }, kind: 2, spanContext() { return { spanId: this.name }; } };
  const w = withAttribute(s, 'k', 'v');
  assert.deepEqual(w.attributes, { a: 1, k: 'v' });
  assert.equal(w.kind, 2);
  assert.deepEqual(w.spanContext(), { spanId: 'POST' });
  assert.deepEqual(s.attributes, { a: 1 });
});
