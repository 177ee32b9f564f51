import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newOrder, orderIdOf, ordersUrl } from '../src/order.js';

test('the order id is read back from the fetch init body', () => {
  const order = newOrder(() => 'id-1');
  assert.deepEqual(order, { orderId: 'id-1', sku: 'BROWSER-1', quantity: 1 });
  assert.equal(orderIdOf({ method: 'POST', body: JSON.stringify(order) }), 'id-1');
});

test('no id without a JSON body carrying one', () => {
  assert.equal(orderIdOf(undefined), undefined);
  assert.equal(orderIdOf({ body: 'order_placed' }), undefined);
  assert.equal(orderIdOf({ body: '{"orderId": 7}' }), undefined);
  assert.equal(orderIdOf({ body: new Uint8Array(2) }), undefined);
});

test('same origin is a relative URL, the API its own origin', () => {
  const config = { apiOrigin: 'http://127.0.0.1:4001/' };
  assert.equal(ordersUrl('same-origin', config), '/orders');
  assert.equal(ordersUrl('api', config), 'http://127.0.0.1:4001/orders');
  assert.throws(() => ordersUrl('analytics', config), /unknown target/);
});
