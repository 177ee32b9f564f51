// SPDX-License-Identifier: Apache-2.0

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOrderRequest, newOrder, ordersUrl } from '../src/order.js';

test('an order request is a JSON body with a sku', () => {
  assert.deepEqual(newOrder(), { sku: 'BROWSER-1', quantity: 1 });
  assert.equal(isOrderRequest({ method: 'POST', body: JSON.stringify(newOrder()) }), true);
});

test('anything else is not: no body, a text body, JSON without a sku', () => {
  assert.equal(isOrderRequest(undefined), false);
  assert.equal(isOrderRequest({ body: 'order_placed' }), false);
  assert.equal(isOrderRequest({ body: '{"quantity": 7}' }), false);
  assert.equal(isOrderRequest({ body: 'null' }), false);
  assert.equal(isOrderRequest({ body: new Uint8Array(2) }), false);
});

test('same origin is a relative URL, the API its own origin', () => {
  const config = { apiOrigin: 'http://127.0.0.1:4001/' };
  assert.equal(ordersUrl('same-origin', config), '/orders');
  assert.equal(ordersUrl('api', config), 'http://127.0.0.1:4001/orders');
  assert.throws(() => ordersUrl('analytics', config), /unknown target/);
});
